using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// The Edge's OpenTelemetry instruments (meter <c>MultiCodex.Edge</c>), exported over OTLP when OpenTelemetry is on:
/// the same figures as the Prometheus metrics of <see cref="EdgeMetrics"/>, under OpenTelemetry's names and units.
/// While nothing listens, recording is a check per instrument.
/// </summary>
internal static class EdgeMeter
{
    public const string Name = "MultiCodex.Edge";

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("multicodex.edge.requests", "{request}",
        "Requests to /v1, by endpoint and HTTP status.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram("multicodex.edge.request.duration", "s",
        "Time from the request to the end of the answer.", tags: null, Seconds([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]));

    private static readonly Histogram<double> Proxy = Meter.CreateHistogram("multicodex.edge.proxy.duration", "s",
        "MultiCodex's own time before the first upstream attempt (reading, translating, choosing an account).", tags: null,
        Seconds([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]));

    private static readonly Histogram<double> UpstreamTtfb = Meter.CreateHistogram("multicodex.edge.upstream.time_to_first_byte", "s",
        "The answering upstream attempt's time from sending the request to its response headers.", tags: null,
        Seconds([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60, 120]));

    private static readonly Histogram<int> Attempts = Meter.CreateHistogram("multicodex.edge.request.attempts", "{attempt}",
        "Upstream attempts per request (1 without a failover, 0 when no account was tried).", tags: null,
        new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5] });

    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>("multicodex.edge.tokens", "{token}",
        "Tokens used upstream, by kind (input, cached_input, output, reasoning).");

    /// <summary>Records one answered request.</summary>
    public static void Completed(string endpoint, int status, in RequestTiming timing, long inputTokens, long cachedInputTokens,
        long outputTokens, long reasoningTokens)
    {
        if (!Requests.Enabled)
        {
            return;
        }
        var byEndpoint = new TagList { { "multicodex.endpoint", endpoint } };
        var byStatus = new TagList { { "multicodex.endpoint", endpoint }, { "http.response.status_code", status } };
        Requests.Add(1, byStatus);
        Duration.Record(timing.Total.TotalSeconds, byStatus);
        Proxy.Record(timing.Proxy.TotalSeconds, byEndpoint);
        Attempts.Record(timing.Attempts, byEndpoint);
        if (timing.UpstreamTimeToFirstByte is { } ttfb)
        {
            UpstreamTtfb.Record(ttfb.TotalSeconds, byEndpoint);
        }
        if (inputTokens + outputTokens > 0)
        {
            Tokens.Add(inputTokens, new KeyValuePair<string, object?>("multicodex.token.kind", "input"));
            Tokens.Add(cachedInputTokens, new KeyValuePair<string, object?>("multicodex.token.kind", "cached_input"));
            Tokens.Add(outputTokens, new KeyValuePair<string, object?>("multicodex.token.kind", "output"));
            Tokens.Add(reasoningTokens, new KeyValuePair<string, object?>("multicodex.token.kind", "reasoning"));
        }
    }

    private static InstrumentAdvice<double> Seconds(double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };
}
