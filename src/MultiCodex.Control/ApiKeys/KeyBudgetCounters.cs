using System.Collections.Immutable;
using System.Globalization;
using MultiCodex.Control.Events;
using MultiCodex.Control.History;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Control.ApiKeys;

/// <summary>One request an Edge reported for a key's budgets: when it arrived, and its tokens.</summary>
public readonly record struct KeyIncrement(string KeyId, DateTimeOffset ArrivedAt, long Tokens);

/// <summary>
/// The pool-wide budget counts of every client key: what all Edges' reports add up to, per calendar window. The
/// Edges count locally between pushes and report each answered request; this sums them (<see cref="Add"/>, one call per
/// report batch) and the pool view pushes the totals back, so every Edge enforces the same budget without a call per
/// request. Kept in memory and rebuilt from the request history when Control starts (the same requests, by key id).
/// Publishes <c>TYPE_KEY_BUDGET_REACHED</c> when a count reaches a budget: once per budget and window, as the count
/// only rises within a window.
/// </summary>
public sealed partial class KeyBudgetCounters
{
    private readonly ApiKeyStore _keys;
    private readonly ControlEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyBudgetCounters> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ulong> _countedThrough = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, KeyUsageCounts> _counts;

    public KeyBudgetCounters(ApiKeyStore keys, UsageFiguresQuery history, ControlEvents events, TimeProvider time, ILogger<KeyBudgetCounters> logger)
    {
        _keys = keys;
        _events = events;
        _time = time;
        _logger = logger;
        _counts = history.KeyBudgetCounts(time.GetUtcNow()).ToImmutableDictionary(StringComparer.Ordinal);
    }

    /// <summary>Raised (outside any lock) with the ids of the keys whose counts changed; must not block.</summary>
    public event Action<IReadOnlyCollection<string>>? Changed;

    /// <summary>The key's counts now (zero when it was never used).</summary>
    public KeyUsageCounts Of(string keyId) => _counts.GetValueOrDefault(keyId) ?? KeyUsageCounts.Zero;

    /// <summary>
    /// The counts, and how far the reports of <paramref name="edgeId"/> are counted in them — read together, so that an
    /// Edge that stops counting its own requests through that number finds them in these counts.
    /// </summary>
    public (ulong CountedThrough, ImmutableDictionary<string, KeyUsageCounts> Counts) Snapshot(string edgeId)
    {
        lock (_gate)
        {
            return (_countedThrough.GetValueOrDefault(edgeId), _counts);
        }
    }

    /// <summary>Forgets an Edge that has gone (its reports' numbers start over with a new instance id).</summary>
    public void Forget(string edgeId)
    {
        lock (_gate)
        {
            _countedThrough.Remove(edgeId);
        }
    }

    /// <summary>
    /// Adds the requests of one report batch of <paramref name="edgeId"/> (its reports up to <paramref name="through"/>),
    /// announces every budget they reached, and tells the watchers.
    /// </summary>
    public void Add(string edgeId, ulong through, IReadOnlyList<KeyIncrement> increments)
    {
        if (increments.Count == 0)
        {
            return;
        }
        var now = _time.GetUtcNow();
        var changed = new HashSet<string>(StringComparer.Ordinal);
        List<(ApiKeyRecord Key, KeyBudget Budget, BudgetWindow Window, long Used)>? reached = null;
        lock (_gate)
        {
            var counts = _counts.ToBuilder();
            foreach (var increment in increments)
            {
                var before = counts.GetValueOrDefault(increment.KeyId) ?? KeyUsageCounts.Zero;
                var after = before.Add(increment.ArrivedAt, 1, increment.Tokens);
                counts[increment.KeyId] = after;
                changed.Add(increment.KeyId);
                if (_keys.Find(increment.KeyId) is not { Limits.HasBudgets: true } key)
                {
                    continue;
                }
                foreach (var budget in key.Limits.Budgets)
                {
                    var window = BudgetWindows.Of(budget.Period, increment.ArrivedAt);
                    var was = before.UsedAt(budget.Period, budget.Metric, increment.ArrivedAt);
                    var used = after.UsedAt(budget.Period, budget.Metric, increment.ArrivedAt);
                    // Only a window still under way: a late report for one that ended is news to nobody.
                    if (was < budget.Limit && used >= budget.Limit && window.End > now)
                    {
                        (reached ??= []).Add((key, budget, window, used));
                    }
                }
            }
            _counts = counts.ToImmutable();
            _countedThrough[edgeId] = Math.Max(through, _countedThrough.GetValueOrDefault(edgeId));
        }
        foreach (var (key, budget, window, used) in reached ?? [])
        {
            Announce(key, budget, window, used);
        }
        Changed?.Invoke(changed);
    }

    /// <summary>Where <paramref name="key"/> stands against each of its budgets in the windows under way at <paramref name="now"/>.</summary>
    public IReadOnlyList<KeyBudgetStanding> Standing(ApiKeyRecord key, DateTimeOffset now)
    {
        var counts = Of(key.Id);
        return [.. key.Limits.Budgets.Select(b => new KeyBudgetStanding(b, BudgetWindows.Of(b.Period, now), counts.UsedAt(b.Period, b.Metric, now)))];
    }

    private void Announce(ApiKeyRecord key, KeyBudget budget, BudgetWindow window, long used)
    {
        Log.BudgetReached(_logger, key.Id, budget.Name, budget.Limit, window.End);
        _events.Publish(ControlEventType.KeyBudgetReached,
            $"Key {key.Name} reached its {budget.Describe()}: its requests are refused (429 key_budget_exceeded) until {EventFormat.Clock(window.End)}.",
            new Dictionary<string, string>
            {
                ["key_id"] = key.Id,
                ["key_name"] = key.Name,
                ["budget"] = budget.Name,
                ["limit"] = budget.Limit.ToString(CultureInfo.InvariantCulture),
                ["used"] = used.ToString(CultureInfo.InvariantCulture),
                ["window_start_time"] = EventFormat.Rfc3339(window.Start),
                ["reset_time"] = EventFormat.Rfc3339(window.End),
            });
    }

    private static partial class Log
    {
        [LoggerMessage(1801, LogLevel.Information, "Key {KeyId} reached its budget {Budget} ({Limit}); it frees up at {ResetTime:u}")]
        public static partial void BudgetReached(ILogger logger, string keyId, string budget, long limit, DateTimeOffset resetTime);
    }
}

/// <summary>Where a key stands against one budget in the window under way.</summary>
public sealed record KeyBudgetStanding(KeyBudget Budget, BudgetWindow Window, long Used)
{
    public long Remaining => Math.Max(0, Budget.Limit - Used);
}
