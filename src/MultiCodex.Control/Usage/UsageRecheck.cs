using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Probes an account's usage again when what is known of it just went stale (issue #11: a green "Active" next to a
/// red 100 % bar): its block ended (by time or Unblock), or it met a quota error. Requests for one account coalesce:
/// while one is waiting, more add nothing. Off, like the periodic probes, when <c>USAGE_REFRESH_SECONDS</c> is 0.
/// </summary>
public sealed partial class UsageRecheck(UsageProber prober, IOptions<UsageOptions> options, ILogger<UsageRecheck> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Asks for a probe of the account. With <paramref name="mayClearBlock"/> false (right after a quota error) the
    /// probe may lengthen the account's block to its window's reset but never end it: the usage endpoint can lag.
    /// </summary>
    public void Request(string accountId, bool mayClearBlock)
    {
        if (options.Value.RefreshInterval <= TimeSpan.Zero)
        {
            return;
        }
        var added = false;
        _pending.AddOrUpdate(accountId, _ => { added = true; return mayClearBlock; }, (_, waiting) => waiting && mayClearBlock);
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
                if (!_pending.TryRemove(accountId, out var mayClearBlock))
                {
                    continue;
                }
                try
                {
                    await prober.ProbeAsync(accountId, stoppingToken, mayClearBlock);
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

    private static partial class Log
    {
        [LoggerMessage(1321, LogLevel.Error, "Storing the re-probed usage of account {AccountId} failed: {Error}")]
        public static partial void RecheckFailed(ILogger logger, string accountId, string error);
    }
}
