using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MultiCodex.Control.Leases;

/// <summary>A lease handed to an Edge and not yet reported. The access token is kept (in memory only) so that a 401
/// outcome refreshes exactly the token that was refused.</summary>
public sealed record ActiveLease(
    string Id, string AccountId, string AccessToken, string Model, string? SessionKey, bool IsFailover, string? ClientName, DateTimeOffset AcquiredAt)
{
    // The token must not reach a log line through the record's generated ToString.
    public override string ToString() => $"{Id} ({AccountId}, {Model})";
}

/// <summary>The leases in flight, and how many each account has.</summary>
public sealed class LeaseLedger(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ActiveLease> _leases = new(StringComparer.Ordinal);

    public ActiveLease Open(string accountId, string accessToken, string model, string? sessionKey, bool isFailover, string? clientName)
    {
        var lease = new ActiveLease("lease_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            accountId, accessToken, model, sessionKey, isFailover, clientName, time.GetUtcNow());
        _leases[lease.Id] = lease;
        return lease;
    }

    /// <summary>Ends the lease; null when it is unknown or already ended.</summary>
    public ActiveLease? Close(string leaseId) => _leases.TryRemove(leaseId, out var lease) ? lease : null;

    public int InFlight(string accountId) => _leases.Values.Count(l => l.AccountId == accountId);

    public int TotalInFlight => _leases.Count;

    /// <summary>Forgets leases older than <paramref name="timeToLive"/>: their Edge is gone.</summary>
    public void Expire(TimeSpan timeToLive)
    {
        var cutoff = time.GetUtcNow() - timeToLive;
        foreach (var (id, lease) in _leases)
        {
            if (lease.AcquiredAt < cutoff)
            {
                _leases.TryRemove(id, out _);
            }
        }
    }
}
