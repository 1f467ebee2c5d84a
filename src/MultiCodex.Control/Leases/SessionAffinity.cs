using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Leases;

/// <summary>
/// Keeps a conversation (its prompt_cache_key or session header) on the account that served it, so the
/// upstream prompt cache stays warm. A mapping expires after an idle time.
/// </summary>
public sealed class SessionAffinity(IOptions<LeaseOptions> options, TimeProvider time)
{
    private const int MaxSessions = 100_000;
    private readonly ConcurrentDictionary<string, (string AccountId, DateTimeOffset LastSeen)> _sessions = new(StringComparer.Ordinal);

    /// <summary>The account this session is on, if its mapping has not expired.</summary>
    public string? AccountFor(string? sessionKey)
    {
        if (string.IsNullOrEmpty(sessionKey) || !_sessions.TryGetValue(sessionKey, out var entry))
        {
            return null;
        }
        if (entry.LastSeen + options.Value.StickyIdle <= time.GetUtcNow())
        {
            _sessions.TryRemove(new KeyValuePair<string, (string, DateTimeOffset)>(sessionKey, entry));
            return null;
        }
        return entry.AccountId;
    }

    /// <summary>Records that the session was served by the account.</summary>
    public void Remember(string sessionKey, string accountId)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            Prune(now);
        }
        _sessions[sessionKey] = (accountId, now);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _sessions)
        {
            if (entry.LastSeen + options.Value.StickyIdle <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }
        if (_sessions.Count >= MaxSessions)
        {
            // Still full of live sessions: drop the oldest tenth rather than grow without bound.
            foreach (var key in _sessions.OrderBy(p => p.Value.LastSeen).Take(MaxSessions / 10).Select(p => p.Key).ToList())
            {
                _sessions.TryRemove(key, out _);
            }
        }
    }
}
