using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using MultiCodex.Edge.Leasing;

namespace MultiCodex.Edge.ClientKeys;

/// <summary>The outcome of checking a request's key.</summary>
public readonly record struct KeyCheck(bool Allowed, string? ClientName, string? Error, bool ControlUnavailable = false);

/// <summary>
/// Checks <c>Authorization: Bearer</c> on /v1 against the hashes of the keys Control holds. While no key exists,
/// /v1 is open. The hash list follows Control's WatchApiKeyDigests stream, so a new or revoked key applies at
/// once; while the stream is down it is re-read when an unknown key arrives (at most once a second).
/// </summary>
public sealed partial class ClientKeyGate(ControlClient control, TimeProvider time, ILogger<ClientKeyGate> logger) : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinRefreshGap = TimeSpan.FromSeconds(1);

    private volatile FrozenDictionary<string, string>? _digests;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;
    private bool _announcedOpen;

    public async ValueTask<KeyCheck> CheckAsync(string? authorization, CancellationToken cancellationToken)
    {
        var digests = _digests ?? await RefreshAsync(force: true, cancellationToken);
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
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[7..].Trim())));
        if (digests.TryGetValue(hash, out var name))
        {
            return new KeyCheck(true, name, null);
        }
        // Perhaps a key created a moment ago: look again before refusing.
        if (await RefreshAsync(force: false, cancellationToken) is { } fresh && fresh.TryGetValue(hash, out name))
        {
            return new KeyCheck(true, name, null);
        }
        return new KeyCheck(false, null, "Incorrect API key provided. Keys are created (and revoked) in the MultiCodex dashboard.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var watch = control.WatchKeyDigests(stoppingToken);
                await foreach (var message in watch.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    Apply(message.Digests);
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return; // the Edge is stopping
            }
            catch (RpcException e)
            {
                Log.RefreshFailed(logger, e.StatusCode);
            }
            try
            {
                await Task.Delay(ReconnectDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Apply(IEnumerable<MultiCodex.Control.V1.ApiKeyDigest> digests)
    {
        _digests = digests.ToFrozenDictionary(d => d.Sha256, d => d.Name, StringComparer.Ordinal);
        _lastRefresh = time.GetUtcNow();
        if (_digests.Count == 0 && !_announcedOpen)
        {
            Log.OpenWithoutKeys(logger);
        }
        _announcedOpen = _digests.Count == 0;
    }

    private async Task<FrozenDictionary<string, string>?> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken);
        try
        {
            if (!force && time.GetUtcNow() - _lastRefresh < MinRefreshGap)
            {
                return _digests;
            }
            Apply((await control.ListKeyDigestsAsync(cancellationToken)).Digests);
            return _digests;
        }
        catch (RpcException e)
        {
            Log.RefreshFailed(logger, e.StatusCode);
            return _digests;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Warning, "No API keys exist: /v1 is open to anyone who can reach this port. Create a key in the dashboard to require one.")]
        public static partial void OpenWithoutKeys(ILogger logger);

        [LoggerMessage(2002, LogLevel.Warning, "Could not load API key digests from Control ({Status}); keeping the last known list")]
        public static partial void RefreshFailed(ILogger logger, StatusCode status);
    }
}
