using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Tokens;

/// <summary>Refreshes every account whose access token is about to expire, before a request finds it expired.</summary>
public sealed partial class ProactiveRefreshWorker(AccountStore store, TokenRefresher refresher, TimeProvider time, ILogger<ProactiveRefreshWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            try
            {
                await RefreshDueAsync();
            }
            catch (IOException e)
            {
                // The data folder failed us (disk full?); the next tick tries again.
                Log.RoundFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(1211, LogLevel.Error, "Proactive token refresh failed: {Error}")]
        public static partial void RoundFailed(ILogger logger, string error);
    }

    internal async Task RefreshDueAsync()
    {
        var now = time.GetUtcNow();
        foreach (var account in store.All.Where(a => refresher.IsDue(a, now)))
        {
            await refresher.RefreshAsync(account.Id, "proactive_expiry");
        }
    }
}
