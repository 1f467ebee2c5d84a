using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Leases;

/// <summary>
/// Ends blocks whose time has come (so watchers see the account turn active without a reload) and forgets
/// leases whose Edge never reported them.
/// </summary>
public sealed class LeaseHousekeeping(AccountStore store, LeaseLedger ledger, IOptions<LeaseOptions> options, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await EndExpiredBlocksAsync();
            ledger.Expire(options.Value.LeaseTimeToLive);
        }
    }

    internal Task EndExpiredBlocksAsync()
    {
        var now = time.GetUtcNow();
        return store.All.Any(a => a.Block is not null && !a.IsBlockedAt(now))
            ? store.UpdateAllAsync(a => a.Block is not null && !a.IsBlockedAt(now) ? a with { Block = null } : a, deferSave: true)
            : Task.CompletedTask;
    }
}
