using MultiCodex.Edge.Pool;

namespace MultiCodex.Edge.V1;

/// <summary>
/// How step 3 (dispatch) sends one attempt of a request to the upstream and gets its answer: the status and
/// headers, then the events as a server-sent-event body that <see cref="UpstreamStream"/> reads. An HTTP POST to
/// <c>/codex/responses</c> (<see cref="UpstreamClient"/>) for most requests; a request that names its own route
/// (<see cref="UpstreamRequest.Route"/>) takes that one — a WebSocket client's frames go over an upstream
/// WebSocket (<see cref="WebSocket.UpstreamSocketRoute"/>), whose answers are presented in the same shape, so
/// failover, blocks and the record work for them as they do for HTTP.
/// </summary>
public interface IUpstreamRoute
{
    /// <summary>Sends <paramref name="request"/> for <paramref name="lease"/>; the answer's body is left unread (streamed by the caller).</summary>
    Task<HttpResponseMessage> SendAsync(UpstreamRequest request, IHeaderDictionary clientHeaders, AccountLease lease, CancellationToken cancellationToken);
}
