using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Pool;

/// <summary>A conversation bound to an account, and when it last sent a request.</summary>
public sealed record SessionBindingRecord(string SessionKey, string AccountId, DateTimeOffset LastSeen);

/// <summary>
/// Keeps a conversation (its prompt_cache_key or session header) on one account, so the upstream prompt cache stays
/// warm. The Edges bind a conversation when its first request is leased and report the binding at once; this is the
/// pool-wide record they all follow. When two Edges disagree (a new conversation's first requests on two Edges at
/// once, or an Edge that had not yet heard of a binding), the binding already held wins while its account is
/// eligible — as the sticky rule itself says — and it is published again so the other Edge follows it.
/// A binding expires after the sticky idle time without requests.
/// </summary>
public sealed class SessionAffinity(IOptions<PoolOptions> options, TimeProvider time)
{
    private const int MaxSessions = 100_000;
    private static readonly TimeSpan LongestTouchInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Raised (outside any lock) for a binding the Edges must learn: new, moved, or still in use.</summary>
    public event Action<SessionBindingRecord>? Changed;

    /// <summary>How often a binding still in use is published again, so that copies on other Edges do not expire.</summary>
    public TimeSpan TouchInterval => options.Value.StickyIdle / 4 < LongestTouchInterval ? options.Value.StickyIdle / 4 : LongestTouchInterval;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>The account the session is on, if its binding has not expired.</summary>
    public string? AccountFor(string sessionKey)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(sessionKey, out var entry) && !IsExpired(entry, time.GetUtcNow()) ? entry.AccountId : null;
        }
    }

    /// <summary>
    /// Records that an Edge bound (or still uses) the session on <paramref name="accountId"/>; a binding held for
    /// another account that <paramref name="isEligible"/> still accepts is kept. Returns the binding in force.
    /// </summary>
    public SessionBindingRecord Apply(string sessionKey, string accountId, DateTimeOffset lastSeen, Func<string, bool> isEligible)
    {
        var now = time.GetUtcNow();
        SessionBindingRecord result;
        bool publish;
        lock (_gate)
        {
            if (_sessions.TryGetValue(sessionKey, out var held) && !IsExpired(held, now))
            {
                var seen = lastSeen > held.LastSeen ? lastSeen : held.LastSeen;
                if (held.AccountId == accountId || isEligible(held.AccountId))
                {
                    // Same account (still in use), or a conflicting report: the held binding stands. A conflict is
                    // published at once so the reporting Edge follows; a touch only every TouchInterval.
                    var conflict = held.AccountId != accountId;
                    publish = conflict || seen - held.PublishedSeen >= TouchInterval;
                    held = held with { LastSeen = seen, PublishedSeen = publish ? seen : held.PublishedSeen };
                }
                else
                {
                    // Moved: the account it was on can no longer serve it.
                    held = new Entry(accountId, seen, seen);
                    publish = true;
                }
                _sessions[sessionKey] = held;
                result = new SessionBindingRecord(sessionKey, held.AccountId, held.LastSeen);
            }
            else
            {
                if (_sessions.Count >= MaxSessions)
                {
                    Prune(now);
                }
                _sessions[sessionKey] = new Entry(accountId, lastSeen, lastSeen);
                result = new SessionBindingRecord(sessionKey, accountId, lastSeen);
                publish = true;
            }
        }
        if (publish)
        {
            Changed?.Invoke(result);
        }
        return result;
    }

    /// <summary>Every binding still in force, for an Edge that (re)connects.</summary>
    public List<SessionBindingRecord> Live()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var live = new List<SessionBindingRecord>(_sessions.Count);
            foreach (var (key, entry) in _sessions)
            {
                if (!IsExpired(entry, now))
                {
                    live.Add(new SessionBindingRecord(key, entry.AccountId, entry.LastSeen));
                }
            }
            return live;
        }
    }

    /// <summary>Forgets expired bindings (and, when still full of live ones, the oldest tenth rather than grow without bound).</summary>
    public void Prune()
    {
        lock (_gate)
        {
            Prune(time.GetUtcNow());
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _sessions)
        {
            if (IsExpired(entry, now))
            {
                _sessions.Remove(key);
            }
        }
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var key in _sessions.OrderBy(p => p.Value.LastSeen).Take(MaxSessions / 10).Select(p => p.Key).ToList())
            {
                _sessions.Remove(key);
            }
        }
    }

    private bool IsExpired(Entry entry, DateTimeOffset now) => entry.LastSeen + options.Value.StickyIdle <= now;

    /// <param name="PublishedSeen">The last-seen time the Edges last heard of.</param>
    private sealed record Entry(string AccountId, DateTimeOffset LastSeen, DateTimeOffset PublishedSeen);
}
