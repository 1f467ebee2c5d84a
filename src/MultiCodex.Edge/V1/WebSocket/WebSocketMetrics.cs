using Prometheus;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// Prometheus metrics of the Responses WebSocket (docs/websocket.md, "Seen and measured"). Requests are counted with
/// every other /v1 request (<c>multicodex_edge_requests_total</c>); these say what only sockets have: how many are
/// live, why upstream sockets were opened, and how often a conversation had to be rebuilt or asked for again.
/// </summary>
public sealed class WebSocketMetrics
{
    private static readonly Gauge Sessions = Metrics.CreateGauge("multicodex_edge_websocket_sessions",
        "Client WebSockets open on /v1/responses now.");

    private static readonly Gauge UpstreamSockets = Metrics.CreateGauge("multicodex_edge_upstream_websockets",
        "Upstream WebSockets open now (at most one per client socket).");

    private static readonly Gauge TranscriptBytes = Metrics.CreateGauge("multicodex_edge_websocket_transcript_bytes",
        "Bytes the client sockets' transcripts hold (bounded by RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES).");

    private static readonly Counter Accepted = Metrics.CreateCounter("multicodex_edge_websocket_sessions_total",
        "Client WebSockets accepted.");

    private static readonly Counter Responses = Metrics.CreateCounter("multicodex_edge_websocket_responses_total",
        "response.create frames answered, by how the upstream was reached (websocket or http).", new CounterConfiguration { LabelNames = ["upstream"] });

    private static readonly Counter Opened = Metrics.CreateCounter("multicodex_edge_upstream_websockets_opened_total",
        "Upstream WebSockets opened, by why: first, moved (another account), token (refreshed), rotated (age), lost (closed or broken), rebuilt (a conversation rebuilt in full), http (back from HTTP).",
        new CounterConfiguration { LabelNames = ["reason"] });

    private static readonly Counter Rebuilt = Metrics.CreateCounter("multicodex_edge_websocket_continuations_rebuilt_total",
        "Continuations sent upstream as a full request rebuilt from the transcript (a failover, a rotation, a lost socket).");

    private static readonly Counter HistoryRequested = Metrics.CreateCounter("multicodex_edge_websocket_history_requested_total",
        "Continuations answered previous_response_not_found by the Edge, so the client resent its history (no transcript to rebuild from).");

    /// <summary>Computes the gauges from the live sessions at every scrape.</summary>
    public static void Observe(IServiceProvider services)
    {
        var live = services.GetRequiredService<LiveWebSocketSessions>();
        var budget = services.GetRequiredService<TranscriptBudget>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            var (sessions, upstream) = live.Counts();
            Sessions.Set(sessions);
            UpstreamSockets.Set(upstream);
            TranscriptBytes.Set(budget.Used);
        });
    }

    public void SessionAccepted() => Accepted.Inc();

    public void ResponseAnswered(string upstream) => Responses.WithLabels(upstream).Inc();

    public void UpstreamSocketOpened(string reason) => Opened.WithLabels(reason).Inc();

    public void ContinuationRebuilt() => Rebuilt.Inc();

    public void HistoryAskedFor() => HistoryRequested.Inc();
}
