using System.Collections.Concurrent;
using Prometheus;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// Prometheus metrics of /v1 traffic, served at <c>/metrics</c>. Updated once per request, never per event; the
/// labelled series are looked up once and kept, so counting a request allocates nothing.
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

    private static readonly Counter Tokens = Metrics.CreateCounter("multicodex_edge_tokens_total",
        "Tokens used upstream, by kind (input, cached_input, output, reasoning).", new CounterConfiguration { LabelNames = ["kind"], ExemplarBehavior = NoExemplars });

    private static readonly Counter.Child InputTokens = Tokens.WithLabels("input");
    private static readonly Counter.Child CachedInputTokens = Tokens.WithLabels("cached_input");
    private static readonly Counter.Child OutputTokens = Tokens.WithLabels("output");
    private static readonly Counter.Child ReasoningTokens = Tokens.WithLabels("reasoning");

    private readonly ConcurrentDictionary<(string Endpoint, int Status), Counter.Child> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _durations = new();

    /// <summary>Counts one answered request and the tokens its response used.</summary>
    public void Completed(string endpoint, int status, TimeSpan duration, long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens)
    {
        _requests.GetOrAdd((endpoint, status), static key => Requests.WithLabels(key.Endpoint, key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))).Inc();
        _durations.GetOrAdd(endpoint, static name => Duration.WithLabels(name)).Observe(duration.TotalSeconds);
        if (inputTokens + outputTokens > 0)
        {
            InputTokens.Inc(inputTokens);
            CachedInputTokens.Inc(cachedInputTokens);
            OutputTokens.Inc(outputTokens);
            ReasoningTokens.Inc(reasoningTokens);
        }
    }
}
