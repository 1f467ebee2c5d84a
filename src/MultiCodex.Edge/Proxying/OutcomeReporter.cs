using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Leasing;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Proxying;

/// <summary>
/// Sends each lease's outcome to Control. On the success path it does not hold the client up: reports go out in
/// the background, and <see cref="DrainAsync"/> waits for them when the Edge stops.
/// </summary>
public sealed partial class OutcomeReporter(ControlClient control, ILogger<OutcomeReporter> logger)
{
    private readonly HashSet<Task> _pending = [];
    private readonly Lock _gate = new();

    public static ReportOutcomeRequest Report(string leaseId, int status, EventFacts? facts, HttpResponseMessage? response,
        TimeSpan? timeToFirstByte, TimeSpan duration)
    {
        var report = new ReportOutcomeRequest
        {
            LeaseId = leaseId,
            StatusCode = status,
            ErrorCode = facts?.ErrorCode ?? "",
            ErrorMessage = facts?.ErrorMessage ?? "",
            ResetsAt = facts?.ResetsAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            ResetsIn = facts?.ResetsIn is { } resetsIn ? Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(resetsIn) : null,
            InputTokens = facts?.InputTokens ?? 0,
            CachedInputTokens = facts?.CachedInputTokens ?? 0,
            OutputTokens = facts?.OutputTokens ?? 0,
            ReasoningTokens = facts?.ReasoningTokens ?? 0,
            TimeToFirstByte = timeToFirstByte is { } ttfb ? Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(ttfb) : null,
            Duration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(duration),
        };
        if (response is not null)
        {
            foreach (var (name, values) in response.Headers)
            {
                if (name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase))
                {
                    report.RateLimitHeaders[name.ToLowerInvariant()] = string.Join(",", values);
                }
            }
        }
        return report;
    }

    /// <summary>Reports and returns Control's verdict; null when Control could not be reached.</summary>
    public async Task<ReportOutcomeResponse?> ReportAsync(ReportOutcomeRequest report, CancellationToken cancellationToken)
    {
        try
        {
            return await control.ReportAsync(report, cancellationToken);
        }
        catch (RpcException e)
        {
            Log.ReportFailed(logger, report.LeaseId, e.StatusCode);
            return null;
        }
    }

    public void ReportInBackground(ReportOutcomeRequest report)
    {
        var task = ReportAsync(report, CancellationToken.None);
        lock (_gate)
        {
            _pending.Add(task);
        }
        _ = task.ContinueWith(t => { lock (_gate) { _pending.Remove(t); } }, TaskScheduler.Default);
    }

    /// <summary>Waits for reports still in flight (on shutdown), at most <paramref name="timeout"/>.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }
        await Task.WhenAll(pending).WaitAsync(timeout).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Warning, "Could not report the outcome of lease {LeaseId} to Control ({Status})")]
        public static partial void ReportFailed(ILogger logger, string leaseId, StatusCode status);
    }
}
