using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Hosting;

/// <summary>What a presented admin token amounts to.</summary>
public enum AdminTokenVerdict
{
    /// <summary>The right token, or none is required.</summary>
    Accepted,

    /// <summary>A token is required and none was sent.</summary>
    Missing,

    /// <summary>A token was sent and it is wrong.</summary>
    Wrong,

    /// <summary>This address sent too many wrong tokens: nothing it sends is checked until <see cref="AdminTokenCheck.RetryAfter"/>.</summary>
    LockedOut,
}

/// <summary>The verdict, and for <see cref="AdminTokenVerdict.LockedOut"/> how long to wait.</summary>
public readonly record struct AdminTokenCheck(AdminTokenVerdict Verdict, TimeSpan RetryAfter = default);

/// <summary>
/// Checks <c>x-admin-token</c> against ADMIN_TOKEN in constant time and limits guessing: each client address may send
/// <see cref="FailuresPerWindow"/> wrong tokens per <see cref="Window"/> (ASP.NET Core's rate limiter, one fixed window
/// per address). Only wrong tokens count, so a client with the right token is never counted or delayed. Once an address
/// is over the limit, every token it sends is refused with a Retry-After until the window ends, the right one included:
/// otherwise "429" would mean wrong and "200" right, and guessing would go on at full speed.
/// </summary>
public sealed partial class AdminTokenVerifier : IDisposable
{
    /// <summary>The header (gRPC metadata) that carries the token.</summary>
    public const string HeaderName = "x-admin-token";

    /// <summary>Wrong tokens one address may send per <see cref="Window"/>.</summary>
    public const int FailuresPerWindow = 10;

    /// <summary>The window of the failure count.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly byte[]? _expectedHash;
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lockoutLogged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AdminTokenVerifier(string? adminToken, TimeProvider time, ILogger<AdminTokenVerifier> logger)
    {
        _expectedHash = string.IsNullOrEmpty(adminToken) ? null : Hash(adminToken);
        _time = time;
        _logger = logger;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = FailuresPerWindow, Window = Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>True when ADMIN_TOKEN is set, so admin calls need the token.</summary>
    public bool Required => _expectedHash is not null;

    /// <summary>Checks a presented token (null or empty when none was sent) from <paramref name="client"/>.</summary>
    public AdminTokenCheck Check(string? presented, IPAddress? client)
    {
        if (_expectedHash is null)
        {
            return new AdminTokenCheck(AdminTokenVerdict.Accepted);
        }
        if (string.IsNullOrEmpty(presented))
        {
            // Not a guess: a client that has not been given the token yet (the dashboard's first call).
            return new AdminTokenCheck(AdminTokenVerdict.Missing);
        }
        var address = PartitionOf(client);
        // A lease of 0 permits asks "is anything left?" without counting.
        using (var open = _failures.AttemptAcquire(address, 0))
        {
            if (!open.IsAcquired)
            {
                return LockedOut(address, open);
            }
        }
        // Hashing first makes the comparison constant-time whatever the lengths.
        if (CryptographicOperations.FixedTimeEquals(Hash(presented), _expectedHash))
        {
            return new AdminTokenCheck(AdminTokenVerdict.Accepted);
        }
        using var counted = _failures.AttemptAcquire(address, 1);
        return counted.IsAcquired ? new AdminTokenCheck(AdminTokenVerdict.Wrong) : LockedOut(address, counted);
    }

    public void Dispose() => _failures.Dispose();

    private AdminTokenCheck LockedOut(string address, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        var now = _time.GetUtcNow();
        // One line per address and window, however hard it keeps trying.
        if (!_lockoutLogged.TryGetValue(address, out var logged) || now - logged >= Window)
        {
            if (_lockoutLogged.Count > 10_000)
            {
                _lockoutLogged.Clear(); // many addresses at once: forget old notes rather than grow without bound
            }
            _lockoutLogged[address] = now;
            Log.LockedOut(_logger, address, FailuresPerWindow, (int)Window.TotalSeconds);
        }
        return new AdminTokenCheck(AdminTokenVerdict.LockedOut, retryAfter);
    }

    private static string PartitionOf(IPAddress? client) =>
        client is null ? "unknown" : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Warning,
            "{Address} sent more than {Failures} wrong admin tokens within {WindowSeconds} s: its admin requests are refused (429) until the window ends")]
        public static partial void LockedOut(ILogger logger, string address, int failures, int windowSeconds);
    }
}
