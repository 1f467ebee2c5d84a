using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// <c>GET /v1/responses</c> upgraded to the Responses WebSocket (issue #13; docs/websocket.md): the client key is
/// checked on the upgrade, then the socket is served by a <see cref="ClientSocket"/>. Turned off
/// (<c>RESPONSES_WEBSOCKETS=off</c>), or for a GET that is not an upgrade, the answer is <c>426</c> at once: the one
/// refusal on which the Codex CLI falls back to HTTP without retrying (any other costs it seven attempts).
/// </summary>
public static class ResponsesWebSocketEndpoint
{
    public static IServiceCollection AddResponsesWebSockets(this IServiceCollection services)
    {
        services.AddSingleton<SocketDialect>();
        services.AddSingleton<UpstreamSocketDialer>();
        services.AddSingleton<TranscriptBudget>();
        services.AddSingleton<LiveWebSocketSessions>();
        services.AddHostedService<LiveSessionsReporter>();
        services.AddSingleton<WebSocketMetrics>();
        services.AddSingleton<SocketServices>();
        return services;
    }

    /// <summary>The WebSocket middleware, the socket gauges, and a stop that lets each socket finish its response first.</summary>
    public static WebApplication UseResponsesWebSockets(this WebApplication app)
    {
        app.UseWebSockets();
        WebSocketMetrics.Observe(app.Services);
        var live = app.Services.GetRequiredService<LiveWebSocketSessions>();
        app.Lifetime.ApplicationStopping.Register(live.CloseAll);
        return app;
    }

    public static void MapResponsesWebSocket(this IEndpointRouteBuilder v1) => v1.MapGet("/responses", HandleAsync);

    private static async Task HandleAsync(HttpContext http, EdgeOptions options, ClientKeyGate keys, SocketServices services)
    {
        if (!options.ResponsesWebSockets || !http.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(http, options.ResponsesWebSockets);
            return;
        }
        if (await V1Endpoints.AdmitAsync(http, keys) is not { } client)
        {
            return; // a missing or wrong key was answered on the upgrade (401), as on HTTP
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            // The Codex CLI offers permessage-deflate: its frames repeat the tool list every turn (10–40 KB) and
            // compress well. No context kept between our messages, so an idle socket holds no compressor.
            DangerousEnableCompression = true,
            DisableServerContextTakeover = true,
        });
        await new ClientSocket(socket, http, client.ClientName, client.ClientKeyId, services).RunAsync();
    }

    private static async Task RefuseAsync(HttpContext http, bool enabled)
    {
        if (enabled)
        {
            http.Response.Headers.Upgrade = "websocket";
        }
        await new HttpSseTransport(http).AnswerErrorAsync(new ClientError(StatusCodes.Status426UpgradeRequired, enabled
                ? "GET /v1/responses is the Responses WebSocket: open it with a WebSocket upgrade, or send POST /v1/responses."
                : "The Responses WebSocket is turned off on this proxy (RESPONSES_WEBSOCKETS=off): use POST /v1/responses.",
            "invalid_request_error", "websocket_unavailable"));
    }
}
