using MultiCodex.Edge.Pool;
using MultiCodex.Pool;

namespace MultiCodex.Edge.ClientKeys;

/// <summary>The outcome of checking a request's key.</summary>
/// <param name="KeyId">Identifies the key without revealing it (its SHA-256, as Control stores it); null while /v1 is open.</param>
public readonly record struct KeyCheck(bool Allowed, string? ClientName, string? Error, bool ControlUnavailable = false, string? KeyId = null);

/// <summary>
/// Checks <c>Authorization: Bearer</c> on /v1 against the hashes of the keys Control holds. While no key exists,
/// /v1 is open. The hashes come with the pool view (Control's WatchPool stream), so a new or revoked key applies at
/// once, and the last known list keeps working while Control is away. An unknown key makes the Edge catch up with
/// Control (at most once a second) before refusing it: it may have been created a moment ago.
/// </summary>
internal sealed partial class ClientKeyGate(PoolView view, PoolWatcher watcher, ILogger<ClientKeyGate> logger) : BackgroundService
{
    /// <summary>How long a request may wait for the first view at start (Control and the Edge start in any order).</summary>
    private static readonly TimeSpan FirstViewWait = TimeSpan.FromSeconds(5);

    public async ValueTask<KeyCheck> CheckAsync(string? authorization, CancellationToken cancellationToken)
    {
        var digests = view.KeyDigests;
        if (digests is null && await watcher.WaitForViewAsync(FirstViewWait, cancellationToken))
        {
            digests = view.KeyDigests;
        }
        if (digests is null)
        {
            return new KeyCheck(false, null, "The proxy cannot check API keys right now (Control is unreachable); try again shortly.", ControlUnavailable: true);
        }
        if (digests.Count == 0)
        {
            return new KeyCheck(true, null, null);
        }
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization.Length <= 7)
        {
            return new KeyCheck(false, null, "Missing API key: send it as 'Authorization: Bearer <key>'. Keys are created in the MultiCodex dashboard.");
        }
        var hash = Sha256Hex.Of(authorization[7..].Trim());
        if (digests.TryGetValue(hash, out var name))
        {
            return new KeyCheck(true, name, null, KeyId: hash);
        }
        if (await watcher.CatchUpAsync(cancellationToken) && view.KeyDigests?.TryGetValue(hash, out name) == true)
        {
            return new KeyCheck(true, name, null, KeyId: hash);
        }
        return new KeyCheck(false, null, "Incorrect API key provided. Keys are created (and revoked) in the MultiCodex dashboard.");
    }

    /// <summary>Says once, when the first view arrives, that /v1 is open because no key exists.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!view.HasView)
        {
            try
            {
                await view.NextChange.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        if (view.KeyDigests is { Count: 0 })
        {
            Log.OpenWithoutKeys(logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Warning, "No API keys exist: /v1 is open to anyone who can reach this port. Create a key in the dashboard to require one.")]
        public static partial void OpenWithoutKeys(ILogger logger);
    }
}
