namespace MultiCodex.Edge.Pool;

/// <summary>What a lease did to a conversation's binding, and so what Control must hear.</summary>
internal enum BindingChange { None, Touched, Bound }

/// <summary>
/// This Edge's copy of the conversation bindings: the ones Control pushes (from every Edge) and the ones this Edge
/// makes. A conversation is bound when its first request is leased, not when it ends, so back-to-back turns never
/// move; a new or moved binding goes to Control at once, a binding still in use at most every touch interval, so
/// that copies elsewhere do not expire while the conversation goes on here. Not thread-safe: the pool's lock guards it.
/// </summary>
internal sealed class SessionBindings
{
    private const int MaxSessions = 100_000;
    private static readonly TimeSpan LongestTouchInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Binding> _bindings = new(StringComparer.Ordinal);

    /// <summary>How long a conversation stays bound without requests (Control's setting, from the view).</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromHours(1);

    public int Count => _bindings.Count;

    private TimeSpan TouchInterval => Idle / 4 < LongestTouchInterval ? Idle / 4 : LongestTouchInterval;

    /// <summary>The account the conversation is bound to, unless its binding expired.</summary>
    public string? AccountFor(string sessionKey, DateTimeOffset now)
    {
        if (!_bindings.TryGetValue(sessionKey, out var binding))
        {
            return null;
        }
        if (binding.LastSeen + Idle <= now)
        {
            _bindings.Remove(sessionKey);
            return null;
        }
        return binding.AccountId;
    }

    /// <summary>Binds the conversation to the account its first request was leased on (or notes it is still in use).</summary>
    public BindingChange Bind(string sessionKey, string accountId, DateTimeOffset now)
    {
        if (_bindings.TryGetValue(sessionKey, out var binding) && binding.AccountId == accountId && binding.LastSeen + Idle > now)
        {
            var touch = now - binding.LastReported >= TouchInterval;
            _bindings[sessionKey] = binding with { LastSeen = now, LastReported = touch ? now : binding.LastReported };
            return touch ? BindingChange.Touched : BindingChange.None;
        }
        if (_bindings.Count >= MaxSessions)
        {
            Prune(now);
        }
        _bindings[sessionKey] = new Binding(accountId, now, now);
        return BindingChange.Bound;
    }

    /// <summary>A binding as Control has it: Control settled any disagreement between Edges, so its account wins.</summary>
    public void Follow(string sessionKey, string accountId, DateTimeOffset lastSeen)
    {
        var reported = lastSeen;
        if (_bindings.TryGetValue(sessionKey, out var known))
        {
            lastSeen = known.LastSeen > lastSeen ? known.LastSeen : lastSeen;
            reported = known.LastReported;
        }
        _bindings[sessionKey] = new Binding(accountId, lastSeen, reported);
    }

    /// <summary>The live bindings, for a Control that restarted and lost its own.</summary>
    public List<(string SessionKey, string AccountId, DateTimeOffset LastSeen)> Live(DateTimeOffset now)
    {
        var live = new List<(string, string, DateTimeOffset)>(_bindings.Count);
        foreach (var (key, binding) in _bindings)
        {
            if (binding.LastSeen + Idle > now)
            {
                live.Add((key, binding.AccountId, binding.LastSeen));
            }
        }
        return live;
    }

    public void Prune(DateTimeOffset now)
    {
        foreach (var (key, binding) in _bindings)
        {
            if (binding.LastSeen + Idle <= now)
            {
                _bindings.Remove(key);
            }
        }
        if (_bindings.Count >= MaxSessions)
        {
            // Still full of live conversations: drop the oldest tenth rather than grow without bound.
            foreach (var key in _bindings.OrderBy(p => p.Value.LastSeen).Take(MaxSessions / 10).Select(p => p.Key).ToList())
            {
                _bindings.Remove(key);
            }
        }
    }

    private sealed record Binding(string AccountId, DateTimeOffset LastSeen, DateTimeOffset LastReported);
}
