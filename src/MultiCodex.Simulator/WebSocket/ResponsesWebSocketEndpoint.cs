using MultiCodex.Simulator.Backend;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.WebSocket;

/// <summary><c>GET /backend-api/codex/responses</c>: the Responses WebSocket (docs/upstream-protocol.md §5). Turned off
/// (<see cref="FakeChatGpt.WebSocketsEnabled"/>), or for a request that is not an upgrade, it answers <c>426</c>, on which
/// the Codex CLI falls back to HTTP at once. Turned on, the upgrade needs the beta header and a live access token.</summary>
internal static class ResponsesWebSocketEndpoint
{
    public const string BetaHeaderValue = "responses_websockets=2026-02-06";

    public static async Task HandleAsync(HttpContext context, SimulatorState state)
    {
        if (!state.WebSocketsEnabled || !context.WebSockets.IsWebSocketRequest)
        {
            await JsonResults.Of(BackendErrors.Detail("WebSocket transport is not available; use HTTP streaming."), StatusCodes.Status426UpgradeRequired)
                .ExecuteAsync(context);
            return;
        }

        // Only the 2026-02-06 protocol (response.create frames) is served; the older response.append form is gone.
        var beta = context.Request.Headers["OpenAI-Beta"].ToString();
        if (!beta.Split(',').Select(v => v.Trim()).Contains(BetaHeaderValue, StringComparer.Ordinal))
        {
            await JsonResults.Of(
                BackendErrors.InvalidRequest($"The Responses WebSocket requires the header 'OpenAI-Beta: {BetaHeaderValue}'.", "OpenAI-Beta"),
                StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        var account = BackendAuth.Authenticate(context, state, out var failure);
        if (account is null)
        {
            await failure!.ExecuteAsync(context);
            return;
        }

        context.Response.Headers["x-models-etag"] = state.Options.ModelsEtag;
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
        var isLite = context.Request.Headers.ContainsKey(ResponsesEndpoint.LiteHeader);
        var connection = new ResponsesSocket(webSocket, context, state, account, isLite);
        state.Sockets.Add(connection);
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            state.Sockets.Remove(connection);
        }
    }
}
