using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Usage;

/// <summary>Why an account's usage is probed again; it decides what that probe may do to the account's block.</summary>
public enum RecheckReason
{
    /// <summary>It met a quota error: the probe may lengthen the block to its window's reset, never end it (the usage endpoint can lag).</summary>
    QuotaError,

    /// <summary>Its block ended at its time: the probe may block it again (the window is still full) or leave it free.</summary>
    BlockEnded,

    /// <summary>
    /// An operator cleared its block: the probe brings the bars up to date but does not block it again. Unblock is a
    /// person's decision to try the account now; the next quota error on a request blocks it again, at once.
    /// </summary>
    Unblocked,
}

/// <summary>
/// Probes an account's usage again when what is known of it just went stale (issue #11: a green "Active" next to a
/// red 100 % bar): its block ended (by time or Unblock), or it met a quota error. Requests for one account coalesce:
/// while one is waiting, more add nothing but restrictions (a waiting probe does the least any of them allows). Off,
/// like the periodic probes, when <c>USAGE_REFRESH_SECONDS</c> is 0.
/// </summary>
public sealed partial class UsageRecheck(UsageProber prober, IOptions<UsageOptions> options, ILogger<UsageRecheck> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, ProbeLimits> _pending = new(StringComparer.Ordinal);

    /// <summary>Asks for a probe of the account, for <paramref name="reason"/>.</summary>
    public void Request(string accountId, RecheckReason reason)
    {
        if (options.Value.RefreshInterval <= TimeSpan.Zero)
        {
            return;
        }
        var limits = new ProbeLimits(MayClearBlock: reason != RecheckReason.QuotaError, MayBlock: reason != RecheckReason.Unblocked);
        var added = false;
        _pending.AddOrUpdate(accountId, _ => { added = true; return limits; },
            (_, waiting) => new ProbeLimits(waiting.MayClearBlock && limits.MayClearBlock, waiting.MayBlock && limits.MayBlock));
        if (added)
        {
            _queue.Writer.TryWrite(accountId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var accountId in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (!_pending.TryRemove(accountId, out var limits))
                {
                    continue;
                }
                try
                {
                    await prober.ProbeAsync(accountId, stoppingToken, limits.MayClearBlock, limits.MayBlock);
                }
                catch (IOException e)
                {
                    Log.RecheckFailed(logger, accountId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Control is stopping.
        }
    }

    private readonly record struct ProbeLimits(bool MayClearBlock, bool MayBlock);

    private static partial class Log
    {
        [LoggerMessage(1321, LogLevel.Error, "Storing the re-probed usage of account {AccountId} failed: {Error}")]
        public static partial void RecheckFailed(ILogger logger, string accountId, string error);
    }
}
