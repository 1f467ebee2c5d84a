using System.Collections.Frozen;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Pool;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>A lease the view granted, or why none could be.</summary>
internal readonly record struct LeaseGrant(LeaseSlot? Slot, Selection? Selection, string AccessToken, Unavailability? Unavailable)
{
    // The token must not reach a log line through the record's generated ToString.
    public override string ToString() => Slot is null ? $"no lease ({Unavailable})" : $"lease on {Slot.AccountId}";
}

/// <summary>
/// This Edge's copy of the pool: Control's pushed view (accounts, bindings, client-key hashes) with this Edge's
/// local effects on top, and the leasing that reads it — the shared selection rules over it, a local
/// least-recently-used order and in-flight counts. One lock guards it all; every step under it is short and
/// never waits for anything. The keys' limits and budget counts go on to the <see cref="KeyLedger"/>.
/// </summary>
internal sealed class PoolView(ReportQueue reports, KeyLedger keys, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LeaseSlot> _slots = new(StringComparer.Ordinal);
    private readonly SessionBindings _bindings = new();
    private readonly HashSet<string> _pastEpochs = new(StringComparer.Ordinal);
    private List<LeaseSlot> _order = [];
    private PoolAccount[] _effective = [];
    private DateTimeOffset _lastLease = DateTimeOffset.MinValue;
    private (ulong AppliedThrough, string Epoch, long Version)? _lastAck;
    private volatile FrozenDictionary<string, string>? _keyDigests;
    private volatile bool _hasView;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The Control process the view comes from; null until the first view arrived.</summary>
    public string? Epoch { get; private set; }

    /// <summary>The view's version in <see cref="Epoch"/>.</summary>
    public long Version { get; private set; }

    /// <summary>True once the first view arrived (from then on the Edge serves from it, with Control or without).</summary>
    public bool HasView => _hasView;

    /// <summary>How long a quota error blocks when the upstream names no reset (Control's setting).</summary>
    public TimeSpan BlockFallback { get; private set; } = TimeSpan.FromMinutes(5);

    /// <summary>The client keys' hashes (SHA-256 → name); null until the first view arrived.</summary>
    public FrozenDictionary<string, string>? KeyDigests => _keyDigests;

    /// <summary>Completes when the next message of Control's stream has been applied.</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    public int AccountCount
    {
        get
        {
            lock (_gate)
            {
                return _slots.Count;
            }
        }
    }

    public int InFlight(string? accountId = null)
    {
        lock (_gate)
        {
            return accountId is null ? _order.Sum(s => s.InFlight) : _slots.TryGetValue(accountId, out var slot) ? slot.InFlight : 0;
        }
    }

    /// <summary>The accounts as the rules see them now (the view with this Edge's local effects).</summary>
    public IReadOnlyList<PoolAccount> Accounts()
    {
        lock (_gate)
        {
            return [.. _effective];
        }
    }

    /// <summary>The account a conversation is bound to on this Edge, if any.</summary>
    public string? BoundAccount(string sessionKey)
    {
        lock (_gate)
        {
            return _bindings.AccountFor(sessionKey, time.GetUtcNow());
        }
    }

    /// <summary>True when the view holds <paramref name="epoch"/> at <paramref name="version"/> or later.</summary>
    public bool HasReached(string epoch, long version)
    {
        lock (_gate)
        {
            return Epoch == epoch && Version >= version;
        }
    }

    /// <summary>Applies one message of Control's stream; returns true when it came from a new Control process.</summary>
    public bool Apply(ControlV1.WatchPoolResponse message)
    {
        List<(string SessionKey, string AccountId, DateTimeOffset LastSeen)>? rebind = null;
        var now = time.GetUtcNow();
        bool newControl;
        lock (_gate)
        {
            newControl = Epoch is not null && Epoch != message.Epoch;
            if (newControl)
            {
                _pastEpochs.Add(Epoch!);
            }
            if (message.Replace)
            {
                var ids = message.Accounts.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _slots.Keys.Where(id => !ids.Contains(id)).ToList())
                {
                    _slots.Remove(gone);
                }
                BlockFallback = message.Settings?.BlockFallback?.ToTimeSpan() ?? BlockFallback;
                _bindings.Idle = message.Settings?.StickyIdle?.ToTimeSpan() ?? _bindings.Idle;
            }
            foreach (var account in message.Accounts)
            {
                if (!_slots.TryGetValue(account.Id, out var slot))
                {
                    _slots[account.Id] = slot = new LeaseSlot(account.Id);
                }
                slot.Follow(PoolViewMapper.ToRules(account), account.AccessToken, account.ChatgptAccountId);
            }
            foreach (var id in message.RemovedAccountIds)
            {
                _slots.Remove(id);
            }
            foreach (var binding in message.SessionBindings)
            {
                _bindings.Follow(binding.SessionKey, binding.AccountId, binding.LastSeenTime?.ToDateTimeOffset() ?? now);
            }
            Epoch = message.Epoch;
            Version = message.Version;
            if (message.ApiKeyDigests is { } digests)
            {
                _keyDigests = digests.Digests.ToFrozenDictionary(d => d.Sha256, d => d.Name, StringComparer.Ordinal);
            }
            keys.Apply(message);
            foreach (var slot in _slots.Values)
            {
                slot.Settle(Reflected);
                slot.Rebuild();
            }
            _order = [.. _slots.Values];
            _effective = new PoolAccount[_order.Count];
            for (var i = 0; i < _order.Count; i++)
            {
                _order[i].Index = i;
                _effective[i] = _order[i].Effective;
            }
            _hasView = true;
            if (newControl)
            {
                // The new Control starts without bindings: tell it the ones this Edge knows.
                rebind = _bindings.Live(now);
            }
        }
        foreach (var (sessionKey, accountId, lastSeen) in rebind ?? [])
        {
            reports.Enqueue(PoolReports.Binding(sessionKey, accountId), urgent: true, age: now - lastSeen);
        }
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return newControl;
    }

    /// <summary>
    /// Chooses an account for <paramref name="demand"/> by the shared rules (per meter: a reserve may serve its model
    /// when the ordinary quota is spent) and leases it; a conversation's first request binds it.
    /// </summary>
    public LeaseGrant Lease(string? sessionKey, IReadOnlySet<string>? excluded, bool firstAttempt, ModelDemand? demand = null)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var sticky = sessionKey is null ? null : _bindings.AccountFor(sessionKey, now);
            var selection = AccountSelector.Select(_effective, excluded, sticky, now, demand);
            if (selection is null)
            {
                return new LeaseGrant(null, null, "", AccountSelector.Unavailable(_effective, now, demand));
            }
            var slot = _slots[selection.Account.Id];
            // Strictly after every earlier lease, so two leases within one clock tick still order least-recently-used.
            _lastLease = now > _lastLease ? now : _lastLease.AddTicks(1);
            slot.LeasedAt = _lastLease;
            slot.InFlight++;
            Refresh(slot);
            if (sessionKey is not null && firstAttempt)
            {
                var change = _bindings.Bind(sessionKey, slot.AccountId, now);
                if (change != BindingChange.None)
                {
                    // A new or moved binding must reach the other Edges before this conversation's next turn does.
                    reports.Enqueue(PoolReports.Binding(sessionKey, slot.AccountId), urgent: change == BindingChange.Bound);
                }
            }
            return new LeaseGrant(slot, selection, slot.CurrentToken, null);
        }
    }

    /// <summary>
    /// Ends a lease: queues its report and applies what it says at once — the live usage of its rate-limit headers,
    /// and a quota block on the meter it came from (by the shared rules). Returns true when the account is now
    /// blocked for what the lease asked of it.
    /// </summary>
    public bool Complete(AccountLease lease, AttemptOutcome outcome, ControlV1.PoolReport report)
    {
        var now = time.GetUtcNow();
        var headerUsage = outcome.RateLimitHeaders.Count > 0 ? UsageMeters.FromHeaders(outcome.RateLimitHeaders, now) : null;
        var reachedType = outcome.RateLimitHeaders.GetValueOrDefault(QuotaSignals.ReachedTypeHeader);
        var quota = QuotaSignals.IsQuota(outcome.Status, outcome.ErrorCode, outcome.ErrorMessage, reachedType);
        lock (_gate)
        {
            var sequence = reports.Enqueue(report, urgent: quota);
            if (!_slots.TryGetValue(lease.AccountId, out var slot))
            {
                return quota; // removed meanwhile
            }
            slot.InFlight = Math.Max(0, slot.InFlight - 1);
            var knownUsage = slot.Usage?.Value ?? slot.View.Usage;
            if (headerUsage is not null)
            {
                slot.Usage = Awaited(new LocalEffect<AccountUsageSnapshot>(UsageMeters.Merge(knownUsage, headerUsage), sequence));
            }
            if (quota)
            {
                var block = QuotaSignals.BlockFor(new QuotaAnswer
                {
                    Code = outcome.ErrorCode,
                    Message = outcome.ErrorMessage,
                    ReachedType = reachedType,
                    ResetsAt = outcome.ResetsAt,
                    ResetsIn = outcome.ResetsIn,
                    HeaderUsage = headerUsage,
                    PaidBy = lease.PaidBy,
                }, knownUsage, now, BlockFallback);
                if (slot.Blocks.TryGetValue(block.Meter, out var known) && known.Value.Until > block.Until)
                {
                    block = block with { Until = known.Value.Until };
                }
                slot.Blocks[block.Meter] = Awaited(new LocalEffect<MeterBlock>(block, sequence));
            }
            Refresh(slot);
            return quota;
        }
    }

    /// <summary>Control applied every report up to <paramref name="appliedThrough"/>; its view at <paramref name="version"/> shows them.</summary>
    public void Acknowledged(ulong appliedThrough, string epoch, long version)
    {
        keys.Acknowledged(appliedThrough);
        lock (_gate)
        {
            _lastAck = (appliedThrough, epoch, version);
            foreach (var slot in _order)
            {
                slot.Acknowledged(appliedThrough, (epoch, version));
                if (slot.Settle(Reflected))
                {
                    Refresh(slot);
                }
            }
        }
    }

    /// <summary>The token the account's leases carry now (a refreshed one before the view has it).</summary>
    public string? CurrentToken(string accountId)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(accountId, out var slot) ? slot.CurrentToken : null;
        }
    }

    /// <summary>Control refreshed the account's token: the next lease carries it.</summary>
    public void TokenRefreshed(string accountId, string accessToken, DateTimeOffset? expiresAt, string epoch, long version)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(accountId, out var slot))
            {
                slot.Token = new LocalEffect<LocalToken>(new LocalToken(accessToken, expiresAt), 0) { Awaiting = (epoch, version) };
                slot.RefusedUntil = null;
                Refresh(slot);
            }
        }
    }

    /// <summary>The upstream refused the account's token and no fresh one could be had: pass it over until <paramref name="until"/>.</summary>
    public void TokenRefused(string accountId, DateTimeOffset until)
    {
        lock (_gate)
        {
            if (_slots.TryGetValue(accountId, out var slot))
            {
                slot.RefusedUntil = until;
                Refresh(slot);
            }
        }
    }

    private void Refresh(LeaseSlot slot)
    {
        slot.Rebuild();
        if (slot.Index < _order.Count && ReferenceEquals(_order[slot.Index], slot))
        {
            _effective[slot.Index] = slot.Effective;
        }
    }

    // A local effect that Control has acknowledged already (the acknowledgement overtook it) awaits that view at once.
    private LocalEffect<T> Awaited<T>(LocalEffect<T> effect)
    {
        if (_lastAck is { } ack && effect.Sequence <= ack.AppliedThrough)
        {
            effect.Awaiting = (ack.Epoch, ack.Version);
        }
        return effect;
    }

    private bool Reflected((string Epoch, long Version)? awaiting) =>
        awaiting is { } view && ((view.Epoch == Epoch && Version >= view.Version) || _pastEpochs.Contains(view.Epoch));
}
