using System.Collections.Concurrent;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Events;
using MultiCodex.Control.OAuth;

namespace MultiCodex.Control.Tokens;

public enum RefreshStatus { Refreshed, AlreadyFresh, ReauthRequired, TransientFailure, UnknownAccount }

/// <summary>The outcome of a refresh; <see cref="Account"/> is the account as stored afterwards.</summary>
public sealed record RefreshOutcome(RefreshStatus Status, AccountRecord? Account, string? Reason = null)
{
    public bool HasUsableToken => Status is RefreshStatus.Refreshed or RefreshStatus.AlreadyFresh;
}

/// <summary>
/// Refreshes access tokens with the account's single-use refresh token (docs/chatgpt-sign-in.md §4). One refresh at
/// a time per account: concurrent callers share it. The rotated tokens are on disk before any caller sees them.
/// A permanent refusal marks the account "re-auth required" (kept, shown, never selected); a transient one backs off,
/// and the first of a run of transient failures publishes a "refresh failing" event.
/// </summary>
public sealed partial class TokenRefresher(
    AccountStore store, OAuthTokenClient issuer, ControlEvents events, TimeProvider time, ILogger<TokenRefresher> logger)
{
    /// <summary>Refresh this long before the access token expires (the Codex CLI's window).</summary>
    public static readonly TimeSpan ProactiveWindow = TimeSpan.FromMinutes(5);

    /// <summary>When the token's expiry is unknown, refresh once it is this old (the Codex CLI's interval).</summary>
    public static readonly TimeSpan MaxTokenAge = TimeSpan.FromDays(8);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, Task<RefreshOutcome>> _inFlight = new();
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset RetryAt)> _backoff = new();

    /// <summary>
    /// Refreshes the account's tokens. With <paramref name="staleAccessToken"/> (the token the upstream just
    /// refused), nothing is sent when the stored token is already a newer one: someone refreshed meanwhile.
    /// </summary>
    public Task<RefreshOutcome> RefreshAsync(string accountId, string reason, string? staleAccessToken = null)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(accountId, out var running))
            {
                return running;
            }
            var mine = new TaskCompletionSource<RefreshOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(accountId, mine.Task))
            {
                _ = RunAsync(accountId, reason, staleAccessToken, mine);
                return mine.Task;
            }
        }
    }

    /// <summary>True when the account's access token expires within the proactive window (or is too old to trust).</summary>
    public bool IsDue(AccountRecord account, DateTimeOffset now) =>
        account.ReauthReason is null
        && (account.Tokens.AccessTokenExpiresAt is { } expires ? expires - ProactiveWindow <= now : account.Tokens.LastRefresh + MaxTokenAge <= now)
        && (!_backoff.TryGetValue(account.Id, out var backoff) || backoff.RetryAt <= now);

    private async Task RunAsync(string accountId, string reason, string? staleAccessToken, TaskCompletionSource<RefreshOutcome> completion)
    {
        try
        {
            completion.SetResult(await RefreshCoreAsync(accountId, reason, staleAccessToken));
        }
        catch (Exception e)
        {
            completion.SetException(e);
        }
        finally
        {
            _inFlight.TryRemove(accountId, out _);
        }
    }

    private async Task<RefreshOutcome> RefreshCoreAsync(string accountId, string reason, string? staleAccessToken)
    {
        var account = store.Find(accountId);
        if (account is null)
        {
            return new RefreshOutcome(RefreshStatus.UnknownAccount, null);
        }
        if (account.ReauthReason is not null)
        {
            // A refused refresh token stays refused: fail fast without calling the issuer again.
            return new RefreshOutcome(RefreshStatus.ReauthRequired, account, account.ReauthReason);
        }
        if (staleAccessToken is not null && staleAccessToken != account.Tokens.AccessToken)
        {
            return new RefreshOutcome(RefreshStatus.AlreadyFresh, account);
        }

        // Never cancelled once sent: the refresh token is single-use, and the answer carries its successor.
        var grant = await issuer.RefreshAsync(account.Tokens.RefreshToken, reason, CancellationToken.None);
        var now = time.GetUtcNow();
        if (grant.Tokens is { } tokens)
        {
            var access = tokens.AccessToken ?? account.Tokens.AccessToken;
            var identity = TokenClaims.TryRead(access, tokens.IdToken ?? account.Tokens.IdToken, out _);
            var updated = await store.UpdateAsync(accountId, a => a with
            {
                Tokens = new StoredTokens
                {
                    AccessToken = access,
                    RefreshToken = tokens.RefreshToken ?? a.Tokens.RefreshToken,
                    IdToken = tokens.IdToken ?? a.Tokens.IdToken,
                    AccessTokenExpiresAt = TokenClaims.ExpiresAt(access),
                    LastRefresh = now,
                },
                PlanType = identity?.PlanType ?? a.PlanType,
                UpdatedAt = now,
            });
            _backoff.TryRemove(accountId, out _);
            Log.Refreshed(logger, accountId, reason);
            return new RefreshOutcome(RefreshStatus.Refreshed, updated);
        }
        if (grant.IsPermanent)
        {
            var marked = await store.UpdateAsync(accountId, a => a with { ReauthReason = grant.Reason, UpdatedAt = now });
            Log.ReauthRequired(logger, accountId, grant.Reason);
            return new RefreshOutcome(RefreshStatus.ReauthRequired, marked, grant.Reason);
        }
        var failures = _backoff.TryGetValue(accountId, out var previous) ? previous.Failures + 1 : 1;
        var delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failures - 1, 10)));
        _backoff[accountId] = (failures, now + delay);
        Log.TransientFailure(logger, accountId, grant.Reason, delay);
        if (failures == 1)
        {
            // Once per run of failures: the backoff retries on its own, and a success ends the run.
            events.Publish(ControlEventType.RefreshFailing,
                $"Refreshing the tokens of {EventAccount.Of(account).Name} failed ({grant.Reason}); retrying at {EventFormat.Clock(now + delay)}.",
                new Dictionary<string, string> { ["reason"] = grant.Reason, ["retry_time"] = EventFormat.Rfc3339(now + delay) },
                account);
        }
        return new RefreshOutcome(RefreshStatus.TransientFailure, account, grant.Reason);
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Information, "Refreshed the tokens of account {AccountId} ({Reason})")]
        public static partial void Refreshed(ILogger logger, string accountId, string reason);

        [LoggerMessage(1202, LogLevel.Warning, "Account {AccountId} needs a new sign-in: the issuer refused its refresh token ({Reason})")]
        public static partial void ReauthRequired(ILogger logger, string accountId, string reason);

        [LoggerMessage(1203, LogLevel.Warning, "Refreshing account {AccountId} failed ({Reason}); retrying in {Delay}")]
        public static partial void TransientFailure(ILogger logger, string accountId, string reason, TimeSpan delay);
    }
}
