using System.Collections.Frozen;
using MultiCodex.Pool.ClientKeys;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.ClientKeys;

/// <summary>Why a key's limits refused a request.</summary>
public enum KeyRefusal
{
    None,
    Expired,
    ModelNotAllowed,
    BudgetExceeded,
    ConcurrencyLimit,
}

/// <summary>The limits' answer to one request, with what a refusal must say.</summary>
/// <param name="Key">The key the request presented; null while /v1 is open (or the key is unknown here).</param>
/// <param name="Budget">For <see cref="KeyRefusal.BudgetExceeded"/>: the budget that frees up last, its window and use.</param>
public sealed record KeyVerdict(KeyRefusal Refusal, ClientKey? Key, KeyBudgetUse? Budget = null)
{
    public static readonly KeyVerdict Open = new(KeyRefusal.None, null);
}

/// <summary>Where a key stands against one budget on this Edge: the pool-wide count pushed by Control plus what this Edge has not reported yet.</summary>
public sealed record KeyBudgetUse(KeyBudget Budget, BudgetWindow Window, long Used);

/// <summary>
/// This Edge's enforcement of the client keys' limits, with no call to Control per request. It holds the keys'
/// limits and their pool-wide budget counts from Control's pushed view, and counts on top what it admitted itself
/// and Control has not counted yet: a request from the moment it is admitted (so requests at once on this Edge never
/// pass a budget together), then — once answered and reported — until Control's view says it counted this Edge's
/// reports that far (<c>key_counts_through</c>). Other Edges' requests arrive with Control's totals, one report batch
/// and one push later: that delay, times the Edges, bounds how far a budget can be passed (README). Concurrency is
/// counted here alone, per Edge. One lock; every step under it is short.
/// </summary>
public sealed class KeyLedger(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyUsageCounts> _pushed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalCount> _admitted = new(StringComparer.Ordinal); // by request id, until answered
    private readonly List<LocalCount> _reported = [];
    private readonly Dictionary<(string KeyId, BudgetPeriod Period, DateTimeOffset Start), (long Requests, long Tokens)> _local = [];
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private FrozenDictionary<string, ClientKey> _byName = FrozenDictionary<string, ClientKey>.Empty;
    private string? _epoch;
    private ulong _countedThrough;
    private ulong _acknowledged;

    /// <summary>The live key named <paramref name="name"/> (names are unique among live keys).</summary>
    public ClientKey? Find(string? name) => name is not null && _byName.TryGetValue(name, out var key) ? key : null;

    /// <summary>
    /// Checks one request of the key named <paramref name="clientName"/> for <paramref name="model"/>: expiry, the
    /// model allowlist, the budgets, concurrency — in that order, so a refusal names the limit that waiting would not
    /// cure first. Admitted, the request holds a concurrency slot and counts toward the budgets until
    /// <see cref="Release"/>.
    /// </summary>
    public KeyVerdict Admit(string? clientName, string model, string requestId)
    {
        if (Find(clientName) is not { } key)
        {
            return KeyVerdict.Open;
        }
        var limits = key.Limits;
        var now = time.GetUtcNow();
        if (limits.IsExpiredAt(now))
        {
            return new KeyVerdict(KeyRefusal.Expired, key);
        }
        if (!limits.AllowsModel(model))
        {
            return new KeyVerdict(KeyRefusal.ModelNotAllowed, key);
        }
        lock (_gate)
        {
            KeyBudgetUse? spent = null;
            foreach (var use in Uses(key, now))
            {
                // When several are spent, the request can pass only once the last of them frees up.
                if (use.Used >= use.Budget.Limit && (spent is null || use.Window.End > spent.Window.End))
                {
                    spent = use;
                }
            }
            if (spent is not null)
            {
                return new KeyVerdict(KeyRefusal.BudgetExceeded, key, spent);
            }
            var inFlight = _inFlight.GetValueOrDefault(key.Id);
            if (limits.MaxConcurrentRequests > 0 && inFlight >= limits.MaxConcurrentRequests)
            {
                return new KeyVerdict(KeyRefusal.ConcurrencyLimit, key);
            }
            _inFlight[key.Id] = inFlight + 1;
            if (limits.HasBudgets)
            {
                var admitted = new LocalCount(key.Id, now);
                _admitted[requestId] = admitted;
                Count(admitted, requests: 1, tokens: 0);
            }
            return new KeyVerdict(KeyRefusal.None, key);
        }
    }

    /// <summary>An admitted request's answer is written: its concurrency slot is free (call once per admitted request).</summary>
    public void FreeSlot(ClientKey key)
    {
        lock (_gate)
        {
            if (_inFlight.GetValueOrDefault(key.Id) is var count and > 1)
            {
                _inFlight[key.Id] = count - 1;
            }
            else
            {
                _inFlight.Remove(key.Id);
            }
        }
    }

    /// <summary>An admitted request ended: if it was never answered and reported, it no longer counts (a reported count stays until Control has it).</summary>
    public void Settle(string requestId)
    {
        lock (_gate)
        {
            if (_admitted.Remove(requestId, out var admitted))
            {
                Count(admitted, requests: -1, tokens: 0); // never answered: nothing was reported
            }
        }
    }

    /// <summary>
    /// An admitted request was answered and reported as <paramref name="sequence"/>: if it counts (it reached an
    /// account), this Edge counts it, with its tokens, until Control's view holds it.
    /// </summary>
    public void Answered(string requestId, bool counts, long tokens, ulong sequence)
    {
        lock (_gate)
        {
            if (!_admitted.Remove(requestId, out var admitted))
            {
                return; // not a request of a key with budgets
            }
            Count(admitted, requests: -1, tokens: 0);
            if (counts && sequence > _countedThrough)
            {
                var reported = admitted with { Tokens = tokens, Sequence = sequence };
                _reported.Add(reported);
                Count(reported, requests: 1, tokens);
            }
        }
    }

    /// <summary>Where <paramref name="key"/> stands against each of its budgets now, as this Edge enforces them.</summary>
    public IReadOnlyList<KeyBudgetUse> Standing(ClientKey key)
    {
        lock (_gate)
        {
            return Uses(key, time.GetUtcNow());
        }
    }

    /// <summary>How many requests of the key are in flight on this Edge.</summary>
    public int InFlight(ClientKey key)
    {
        lock (_gate)
        {
            return _inFlight.GetValueOrDefault(key.Id);
        }
    }

    /// <summary>Applies the keys and counts of one message of Control's stream.</summary>
    internal void Apply(ControlV1.WatchPoolResponse message)
    {
        lock (_gate)
        {
            if (_epoch is not null && _epoch != message.Epoch)
            {
                // A new Control process rebuilt its counts from the history, which holds what the old one acknowledged;
                // the rest is delivered to it again and counted there.
                Forget(_acknowledged);
                _countedThrough = 0;
            }
            _epoch = message.Epoch;
            if (message.ApiKeyDigests is { } digests)
            {
                _byName = digests.Digests.Where(d => d.Id.Length > 0).ToFrozenDictionary(d => d.Name, ClientKeyMapper.ToKey, StringComparer.Ordinal);
            }
            if (message.Replace)
            {
                _pushed.Clear();
            }
            foreach (var totals in message.KeyUsage)
            {
                _pushed[totals.KeyId] = ClientKeyMapper.ToCounts(totals);
            }
            if (message.KeyCountsThrough > _countedThrough)
            {
                _countedThrough = message.KeyCountsThrough;
                Forget(_countedThrough);
            }
        }
    }

    /// <summary>Control applied this Edge's reports up to <paramref name="appliedThrough"/> (they are in its history).</summary>
    internal void Acknowledged(ulong appliedThrough)
    {
        lock (_gate)
        {
            _acknowledged = Math.Max(_acknowledged, appliedThrough);
        }
    }

    private List<KeyBudgetUse> Uses(ClientKey key, DateTimeOffset now)
    {
        var pushed = _pushed.GetValueOrDefault(key.Id) ?? KeyUsageCounts.Zero;
        var uses = new List<KeyBudgetUse>(6);
        foreach (var budget in key.Limits.Budgets)
        {
            var window = BudgetWindows.Of(budget.Period, now);
            var local = _local.GetValueOrDefault((key.Id, budget.Period, window.Start));
            var used = pushed.UsedAt(budget.Period, budget.Metric, now) + (budget.Metric == BudgetMetric.Requests ? local.Requests : local.Tokens);
            uses.Add(new KeyBudgetUse(budget, window, used));
        }
        return uses;
    }

    // Drops the reported counts Control holds now.
    private void Forget(ulong through)
    {
        _reported.RemoveAll(reported =>
        {
            if (reported.Sequence > through)
            {
                return false;
            }
            Count(reported, requests: -1, -reported.Tokens);
            return true;
        });
    }

    private void Count(LocalCount entry, long requests, long tokens)
    {
        foreach (var period in BudgetWindows.Periods)
        {
            var slot = (entry.KeyId, period, BudgetWindows.Of(period, entry.ArrivedAt).Start);
            var (r, t) = _local.GetValueOrDefault(slot);
            (r, t) = (r + requests, t + tokens);
            if (r == 0 && t == 0)
            {
                _local.Remove(slot);
            }
            else
            {
                _local[slot] = (r, t);
            }
        }
    }

    /// <summary>A request this Edge counts itself: admitted (no sequence yet), or reported and not yet in Control's counts.</summary>
    private sealed record LocalCount(string KeyId, DateTimeOffset ArrivedAt, long Tokens = 0, ulong Sequence = 0);
}
