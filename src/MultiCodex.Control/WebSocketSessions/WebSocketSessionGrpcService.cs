using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.WebSocketSessions;

/// <summary>Serves the open client WebSockets (<c>GET /admin/websocket-sessions</c>), with each account's email as Control knows it now.</summary>
internal sealed class WebSocketSessionGrpcService(WebSocketSessionDirectory directory, AccountStore accounts) : WebSocketSessionService.WebSocketSessionServiceBase
{
    public override Task<ListWebSocketSessionsResponse> ListWebSocketSessions(ListWebSocketSessionsRequest request, ServerCallContext context)
    {
        var response = new ListWebSocketSessionsResponse();
        foreach (var session in directory.List())
        {
            response.Sessions.Add(new WebSocketSession
            {
                Id = session.Id,
                EdgeId = session.EdgeId,
                AccountId = session.AccountId,
                AccountEmail = session.AccountId.Length > 0 ? accounts.Find(session.AccountId)?.Email ?? "" : "",
                KeyName = session.KeyName,
                OpenTime = Timestamp.FromDateTimeOffset(session.OpenedAt),
                Responses = session.Responses,
                UpstreamTransport = session.UpstreamTransport,
            });
        }
        return Task.FromResult(response);
    }
}
