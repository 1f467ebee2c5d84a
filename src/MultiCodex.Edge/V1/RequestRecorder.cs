using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Pool;

namespace MultiCodex.Edge.V1;

/// <summary>
/// Step 5 (record): what the client got, shaped once into a <see cref="ClientAnswer"/> for the pool, counted in the
/// metrics, its span ended, and written as one log line naming the account by email, the failover chain and where
/// the time went (<see cref="RequestTiming"/>).
/// </summary>
/// <remarks>
/// The line has its own category, <see cref="Category"/>, at Information: on by default, formatted only when enabled,
/// and turned off with one setting (<c>Logging__LogLevel__MultiCodex.Requests=Warning</c>) where an access log is
/// not wanted — at thousands of requests a second, writing it costs about as much CPU as the rest of the Edge's work.
/// </remarks>
public sealed partial class RequestRecorder(IAccountPool pool, EdgeMetrics metrics, ILoggerFactory loggers)
{
    /// <summary>The log category of the one line per request.</summary>
    public const string Category = "MultiCodex.Requests";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Record(RequestTrace trace)
    {
        var answer = trace.ToAnswer();
        var timing = trace.Timing();
        pool.RecordAnswer(answer);
        var usage = trace.Usage;
        metrics.Completed(trace.Endpoint, trace.Status, timing, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.ReasoningTokens);
        EdgeTracing.EndRequest(trace, timing);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.Completed(_logger, trace.Endpoint, trace.ClientName ?? "-", trace.Served?.Lease.AccountEmail ?? "-", trace.Model, trace.Status,
                trace.ErrorCode ?? "-", timing.Attempts, trace.Chain(" → "), timing.Proxy.TotalMilliseconds, timing.Failover.TotalMilliseconds,
                timing.UpstreamTimeToFirstByte?.TotalMilliseconds ?? 0, timing.Total.TotalMilliseconds, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens);
        }
    }

    private static partial class Log
    {
        // The timing figures are the Server-Timing header's (RequestTiming): proxy, failover, upstream time to first byte.
        [LoggerMessage(2301, LogLevel.Information,
            "{Endpoint} key={Client} account={Account} model={Model} status={Status} error={Error} attempts={AttemptCount} chain={Attempts} proxy_ms={ProxyMs:F1} failover_ms={FailoverMs:F0} ttfb_ms={TtfbMs:F0} duration_ms={DurationMs:F0} tokens_in={InputTokens} tokens_cached={CachedTokens} tokens_out={OutputTokens}")]
        public static partial void Completed(ILogger logger, string endpoint, string client, string account, string model, int status, string error,
            int attemptCount, string attempts, double proxyMs, double failoverMs, double ttfbMs, double durationMs, long inputTokens, long cachedTokens,
            long outputTokens);
    }
}
