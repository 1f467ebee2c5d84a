using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Events;

/// <summary>
/// Turns account state changes into events, whatever caused them (a quota outcome, a usage probe, an Unblock, a
/// block ending at its time, a refused refresh token): it compares each account list the store publishes with the
/// one before. Events: an account blocked / unblocked / needing a new sign-in, and the pool exhausted (no account
/// usable) / recovered. The store raises Changed inside its write gate, so lists arrive one at a time and in order.
/// </summary>
internal sealed class AccountEventDetector(AccountStore store, ControlEvents events, TimeProvider time) : IHostedService
{
    private readonly Lock _gate = new();
    private Dictionary<string, Seen> _seen = [];
    private int _usable;
    private bool _exhausted;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            store.Changed += OnChanged;
            var now = time.GetUtcNow();
            var accounts = store.All;
            _seen = accounts.ToDictionary(a => a.Id, a => Seen.Of(a, now));
            _usable = accounts.Count(a => IsUsable(a, now));
            // A pool that starts dry raises no event now, but its recovery is news.
            _exhausted = accounts.Count > 0 && _usable == 0;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(IReadOnlyList<AccountRecord> accounts)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            // Most changes (a lease's last-used mark, live usage) touch nothing that matters here: no work beyond a scan.
            if (accounts.Count == _seen.Count && accounts.All(a => _seen.TryGetValue(a.Id, out var known) && known == Seen.Of(a, now)))
            {
                return;
            }
            var next = new Dictionary<string, Seen>(accounts.Count);
            foreach (var account in accounts)
            {
                var seen = Seen.Of(account, now);
                next[account.Id] = seen;
                if (_seen.TryGetValue(account.Id, out var before))
                {
                    Compare(account, before, seen, now);
                }
                else if (seen.Blocked)
                {
                    Blocked(account, seen.Block!);
                }
            }
            _seen = next;

            var usable = accounts.Count(a => IsUsable(a, now));
            if (usable == 0 && _usable > 0 && !_exhausted)
            {
                _exhausted = true;
                PoolExhausted(accounts, now);
            }
            else if (usable > 0 && _exhausted)
            {
                _exhausted = false;
                events.Publish(ControlEventType.PoolRecovered,
                    $"The pool can serve requests again: {usable} of {accounts.Count} accounts usable.",
                    new Dictionary<string, string> { ["usable_accounts"] = EventFormat.Number(usable), ["total_accounts"] = EventFormat.Number(accounts.Count) });
            }
            _usable = usable;
        }
    }

    private void Compare(AccountRecord account, Seen before, Seen now, DateTimeOffset at)
    {
        if (!before.Blocked && now.Blocked)
        {
            Blocked(account, now.Block!);
        }
        else if (before.Blocked && !now.Blocked)
        {
            // A block whose time has come ended by itself; one that had time left was cleared (Unblock, or a probe
            // that found the window reset).
            var ended = before.Block!.Until <= at ? "expired" : "cleared";
            var name = EventAccount.Of(account).Name;
            events.Publish(ControlEventType.AccountUnblocked,
                ended == "expired" ? $"{name} can serve requests again: its quota block ended at {EventFormat.Clock(before.Block.Until)}."
                    : $"{name} can serve requests again: its quota block (until {EventFormat.Clock(before.Block.Until)}) was cleared.",
                new Dictionary<string, string> { ["ended"] = ended, ["reason"] = before.Block.Reason, ["block_expire_time"] = EventFormat.Rfc3339(before.Block.Until) },
                account);
        }
        if (!before.ReauthRequired && now.ReauthRequired)
        {
            events.Publish(ControlEventType.ReauthRequired,
                $"{EventAccount.Of(account).Name} needs a new sign-in: the issuer refused its refresh token ({account.ReauthReason}).",
                new Dictionary<string, string> { ["reason"] = account.ReauthReason! },
                account);
        }
    }

    private void Blocked(AccountRecord account, MeterBlock block)
    {
        events.Publish(ControlEventType.AccountBlocked,
            $"{EventAccount.Of(account).Name} is blocked by its quota ({block.Reason}) until {EventFormat.Clock(block.Until)}.",
            new Dictionary<string, string> { ["reason"] = block.Reason, ["meter"] = block.Meter, ["block_expire_time"] = EventFormat.Rfc3339(block.Until) },
            account);
    }

    private void PoolExhausted(IReadOnlyList<AccountRecord> accounts, DateTimeOffset now)
    {
        var waiting = accounts.Where(a => a.Enabled && a.ReauthReason is null && a.IsBlockedAt(now)).ToList();
        var reauth = accounts.Count(a => a.Enabled && a.ReauthReason is not null);
        var disabled = accounts.Count(a => !a.Enabled);
        var data = new Dictionary<string, string>
        {
            ["usable_accounts"] = "0",
            ["total_accounts"] = EventFormat.Number(accounts.Count),
            ["blocked_accounts"] = EventFormat.Number(waiting.Count),
            ["reauth_required_accounts"] = EventFormat.Number(reauth),
            ["disabled_accounts"] = EventFormat.Number(disabled),
        };
        string summary;
        if (accounts.Count == 0)
        {
            summary = "No account is configured: every /v1 request fails until one is added.";
        }
        else if (waiting.MinBy(a => a.OrdinaryBlock(now)!.Until) is { } first)
        {
            var until = first.OrdinaryBlock(now)!.Until;
            data["retry_time"] = EventFormat.Rfc3339(until);
            data["next_account_id"] = first.Id;
            summary = $"No account can serve requests ({waiting.Count} blocked, {reauth} need a new sign-in, {disabled} disabled): "
                + $"clients get 429 until {EventFormat.Clock(until)}, when {EventAccount.Of(first).Name} is free again.";
        }
        else
        {
            summary = $"No account can serve requests ({reauth} need a new sign-in, {disabled} disabled): requests fail until an operator acts.";
        }
        events.Publish(ControlEventType.PoolExhausted, summary, data);
    }

    // The selection's eligibility (docs/account-pool.md, "The rules"), without a request's own exclusions.
    private static bool IsUsable(AccountRecord account, DateTimeOffset now) =>
        account.Enabled && account.ReauthReason is null && !account.IsBlockedAt(now);

    /// <summary>What mattered about an account when it was last seen: its block on ordinary requests (the one ending last).</summary>
    private readonly record struct Seen(bool Blocked, bool ReauthRequired, bool Usable, MeterBlock? Block)
    {
        public static Seen Of(AccountRecord account, DateTimeOffset now) =>
            new(account.IsBlockedAt(now), account.ReauthReason is not null, IsUsable(account, now), account.OrdinaryBlock(now));
    }
}
