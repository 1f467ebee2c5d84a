namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>What every client socket needs, made once: the pipeline and its socket dialect, the upstream side, the bookkeeping.</summary>
internal sealed class SocketServices(
    V1Pipeline pipeline, SocketDialect dialect, UpstreamSocketDialer dialer, UpstreamClient upstream, EdgeOptions options, TimeProvider time,
    WebSocketMetrics metrics, TranscriptBudget budget, LiveWebSocketSessions live, ILoggerFactory loggers)
{
    public V1Pipeline Pipeline => pipeline;

    public SocketDialect Dialect => dialect;

    public EdgeOptions Options => options;

    public TimeProvider Time => time;

    public WebSocketMetrics Metrics => metrics;

    public TranscriptBudget Budget => budget;

    public LiveWebSocketSessions Live => live;

    public ILogger Logger { get; } = loggers.CreateLogger("MultiCodex.Edge.WebSocket");

    /// <summary>The upstream side of a new client socket.</summary>
    public UpstreamSocketRoute NewRoute(Transcript transcript, IHeaderDictionary httpHeaders) =>
        new(dialer, upstream, options, time, metrics, Logger, transcript, httpHeaders);
}

/// <summary>The headers of a client's upgrade as an upstream HTTP request may carry them: without the WebSocket's own.</summary>
internal static class UpstreamHttpHeaders
{
    public static IHeaderDictionary From(IHeaderDictionary upgrade)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in upgrade)
        {
            if (!name.StartsWith("sec-websocket-", StringComparison.OrdinalIgnoreCase) && !name.Equals("openai-beta", StringComparison.OrdinalIgnoreCase))
            {
                headers[name] = value;
            }
        }
        var beta = upgrade["OpenAI-Beta"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(v => !v.StartsWith("responses_websockets=", StringComparison.Ordinal)).ToArray();
        if (beta.Length > 0)
        {
            headers["OpenAI-Beta"] = string.Join(", ", beta);
        }
        return headers;
    }
}
