using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Probes every account's usage at start and then every interval, stretched by a random jitter so that several
/// Control instances (or restarts) do not probe in step. A Task.Delay on the TimeProvider rather than a
/// PeriodicTimer, because each wait has its own length.
/// </summary>
public sealed partial class UsageRefreshWorker(
    AccountStore store, UsageProber prober, IOptions<UsageOptions> options, TimeProvider time, ILogger<UsageRefreshWorker> logger)
    : BackgroundService
{
    // Signalled when an account without any usage appears (a new sign-in), so it is probed at once.
    private readonly Channel<bool> _newAccount = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RefreshInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        store.Changed += accounts =>
        {
            if (accounts.Any(a => a.Usage is null && a.ReauthReason is null))
            {
                _newAccount.Writer.TryWrite(true);
            }
        };
        var onlyNew = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            await ProbeAsync(onlyNew, stoppingToken);
            var jitter = 1 + options.Value.Jitter * (Random.Shared.NextDouble() * 2 - 1);
            var due = Task.Delay(interval * jitter, time, stoppingToken);
            var woken = await Task.WhenAny(due, _newAccount.Reader.WaitToReadAsync(stoppingToken).AsTask());
            onlyNew = woken != due && _newAccount.Reader.TryRead(out _);
        }
    }

    // One account at a time: a background round is in no hurry, and the upstream sees a gentle client.
    private async Task ProbeAsync(bool onlyNew, CancellationToken cancellationToken)
    {
        foreach (var account in store.All.Where(a => !onlyNew || a.Usage is null))
        {
            try
            {
                await prober.ProbeAsync(account.Id, cancellationToken);
            }
            catch (IOException e)
            {
                Log.ProbeRoundFailed(logger, account.Id, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1311, LogLevel.Error, "Storing the usage of account {AccountId} failed: {Error}")]
        public static partial void ProbeRoundFailed(ILogger logger, string accountId, string error);
    }
}
