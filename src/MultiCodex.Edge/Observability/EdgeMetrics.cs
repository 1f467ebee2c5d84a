using System.Collections.Concurrent;
using Prometheus;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// Prometheus metrics of /v1 traffic, served at <c>/metrics</c>. Updated once per request, never per event; the
/// labelled series are looked up once and kept, so counting a request allocates nothing. The same figures go to
/// OpenTelemetry when it is on (<see cref="EdgeMeter"/>).
/// </summary>
public sealed class EdgeMetrics
{
    // No exemplars: each would read the trace context on every count, for nothing the Edge's scrapers use.
    private static readonly ExemplarBehavior NoExemplars = new() { DefaultExemplarProvider = static (_, _) => Exemplar.None };

    private static readonly Counter Requests = Metrics.CreateCounter("multicodex_edge_requests_total",
        "Requests to /v1, by endpoint and HTTP status.", new CounterConfiguration { LabelNames = ["endpoint", "status"], ExemplarBehavior = NoExemplars });

    private static readonly Histogram Duration = Metrics.CreateHistogram("multicodex_edge_request_duration_seconds",
        "Time from the request to the end of the answer.", new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.01, 2, 16),
            ExemplarBehavior = NoExemplars,
        });

    private static readonly Histogram Proxy = Metrics.CreateHistogram("multicodex_edge_proxy_duration_seconds",
        "MultiCodex's own time before the first upstream attempt: reading and translating the body, the key check, choosing an account (the Server-Timing mcx-proxy).",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14),
            ExemplarBehavior = NoExemplars,
        });

    private static readonly Histogram UpstreamTtfb = Metrics.CreateHistogram("multicodex_edge_upstream_ttfb_seconds",
        "The answering upstream attempt's time from sending the request to its response headers (the Server-Timing mcx-upstream-ttfb).",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.025, 2, 14),
            ExemplarBehavior = NoExemplars,
        });

    private static readonly Histogram Attempts = Metrics.CreateHistogram("multicodex_edge_request_attempts",
        "Upstream attempts per request: 1 without a failover, 0 when no account was tried (the Server-Timing mcx-attempts).",
        new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.LinearBuckets(0, 1, 6), ExemplarBehavior = NoExemplars });

    private static readonly Counter Tokens = Metrics.CreateCounter("multicodex_edge_tokens_total",
        "Tokens used upstream, by kind (input, cached_input, output, reasoning).", new CounterConfiguration { LabelNames = ["kind"], ExemplarBehavior = NoExemplars });

    private static readonly Counter.Child InputTokens = Tokens.WithLabels("input");
    private static readonly Counter.Child CachedInputTokens = Tokens.WithLabels("cached_input");
    private static readonly Counter.Child OutputTokens = Tokens.WithLabels("output");
    private static readonly Counter.Child ReasoningTokens = Tokens.WithLabels("reasoning");

    private readonly ConcurrentDictionary<(string Endpoint, int Status), Counter.Child> _requests = new();
    private readonly ConcurrentDictionary<string, Timings> _timings = new();

    /// <summary>Counts one answered request, where its time went, and the tokens its response used.</summary>
    public void Completed(string endpoint, int status, in RequestTiming timing, long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens)
    {
        _requests.GetOrAdd((endpoint, status), static key => Requests.WithLabels(key.Endpoint, key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))).Inc();
        var timings = _timings.GetOrAdd(endpoint, static name => new Timings(Duration.WithLabels(name), Proxy.WithLabels(name), UpstreamTtfb.WithLabels(name), Attempts.WithLabels(name)));
        timings.Duration.Observe(timing.Total.TotalSeconds);
        timings.Proxy.Observe(timing.Proxy.TotalSeconds);
        timings.Attempts.Observe(timing.Attempts);
        if (timing.UpstreamTimeToFirstByte is { } ttfb)
        {
            timings.UpstreamTtfb.Observe(ttfb.TotalSeconds);
        }
        EdgeMeter.Completed(endpoint, status, timing, inputTokens, cachedInputTokens, outputTokens, reasoningTokens);
        if (inputTokens + outputTokens > 0)
        {
            InputTokens.Inc(inputTokens);
            CachedInputTokens.Inc(cachedInputTokens);
            OutputTokens.Inc(outputTokens);
            ReasoningTokens.Inc(reasoningTokens);
        }
    }

    private sealed record Timings(Histogram.Child Duration, Histogram.Child Proxy, Histogram.Child UpstreamTtfb, Histogram.Child Attempts);
}
