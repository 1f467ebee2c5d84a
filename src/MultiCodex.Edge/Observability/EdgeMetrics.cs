using System.Diagnostics;
using MultiCodex.Edge.Proxying;
using Prometheus;

namespace MultiCodex.Edge.Observability;

/// <summary>Prometheus metrics of /v1 traffic, served at <c>/metrics</c>. Updated once per request, never per event.</summary>
public sealed class EdgeMetrics
{
    private static readonly Counter Requests = Metrics.CreateCounter("multicodex_edge_requests_total",
        "Requests to /v1, by endpoint and HTTP status.", "endpoint", "status");

    private static readonly Histogram Duration = Metrics.CreateHistogram("multicodex_edge_request_duration_seconds",
        "Time from the request to the end of the answer.", new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.01, 2, 16),
        });

    private static readonly Counter Tokens = Metrics.CreateCounter("multicodex_edge_tokens_total",
        "Tokens used upstream, by kind (input, cached_input, output, reasoning).", "kind");

    public void Completed(string endpoint, int status, UpstreamExchange? exchange, long startedAt)
    {
        Requests.WithLabels(endpoint, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        Duration.WithLabels(endpoint).Observe(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
        if (exchange?.Usage is { } usage)
        {
            Tokens.WithLabels("input").Inc(usage.InputTokens);
            Tokens.WithLabels("cached_input").Inc(usage.CachedInputTokens);
            Tokens.WithLabels("output").Inc(usage.OutputTokens);
            Tokens.WithLabels("reasoning").Inc(usage.ReasoningTokens);
        }
    }
}
