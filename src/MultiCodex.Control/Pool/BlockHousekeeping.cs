using MultiCodex.Control.Accounts;
using MultiCodex.Control.Usage;

namespace MultiCodex.Control.Pool;

/// <summary>
/// Ends blocks whose time has come (so watchers see the account turn active without a reload, and its usage is
/// probed again at that moment: the windows it was blocked on have reset), and forgets expired session bindings.
/// </summary>
public sealed class BlockHousekeeping(AccountStore store, SessionAffinity sessions, UsageRecheck recheck, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        var lastPrune = time.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await EndExpiredBlocksAsync();
            if (time.GetUtcNow() - lastPrune >= PruneEvery)
            {
                sessions.Prune();
                lastPrune = time.GetUtcNow();
            }
        }
    }

    internal async Task EndExpiredBlocksAsync()
    {
        var now = time.GetUtcNow();
        var ended = store.All.Where(a => a.Block is not null && !a.IsBlockedAt(now)).Select(a => a.Id).ToList();
        if (ended.Count == 0)
        {
            return;
        }
        await store.UpdateAllAsync(a => a.Block is not null && !a.IsBlockedAt(now) ? a with { Block = null } : a, deferSave: true);
        foreach (var id in ended)
        {
            recheck.Request(id, RecheckReason.BlockEnded);
        }
    }
}
