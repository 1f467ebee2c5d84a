using System.Net;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Tokens;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Probes one account's usage and stores it with the account. A 401 goes through the token refresh once;
/// any other refusal is recorded as the probe's error and never disables the account.
/// </summary>
public sealed partial class UsageProber(AccountStore store, UsageClient client, TokenRefresher refresher, TimeProvider time, ILogger<UsageProber> logger)
{
    /// <summary>
    /// Probes the account; returns it as stored afterwards, or null when the id is unknown. With
    /// <paramref name="mayClearBlock"/> false the probe may lengthen a block but not end it; with
    /// <paramref name="mayBlock"/> false it updates the usage and leaves an unblocked account unblocked (see
    /// <see cref="BlockAfterProbe"/>). A block that was cleared while the probe ran (an Unblock) is not put back by it.
    /// </summary>
    public async Task<AccountRecord?> ProbeAsync(string accountId, CancellationToken cancellationToken, bool mayClearBlock = true, bool mayBlock = true)
    {
        var account = store.Find(accountId);
        if (account is null)
        {
            return null;
        }
        var blockedBefore = account.Block;
        if (account.ReauthReason is not null)
        {
            return await RecordErrorAsync(accountId, "re-auth required: sign this account in again");
        }
        if (refresher.IsDue(account, time.GetUtcNow()))
        {
            account = (await refresher.RefreshAsync(accountId, "proactive_expiry")).Account ?? account;
        }

        var result = await client.FetchAsync(account.Tokens.AccessToken, account.ChatGptAccountId, cancellationToken);
        if (result.Status == HttpStatusCode.Unauthorized)
        {
            var refreshed = await refresher.RefreshAsync(accountId, "unauthorized_recovery", account.Tokens.AccessToken);
            if (!refreshed.HasUsableToken)
            {
                return await RecordErrorAsync(accountId, $"HTTP 401; token refresh failed ({refreshed.Reason})");
            }
            result = await client.FetchAsync(refreshed.Account!.Tokens.AccessToken, account.ChatGptAccountId, cancellationToken);
        }
        if (result.Usage is null)
        {
            Log.ProbeFailed(logger, accountId, result.Error ?? "no usage");
            return await RecordErrorAsync(accountId, result.Error ?? "no usage in the answer");
        }
        var now = time.GetUtcNow();
        return await store.UpdateAsync(accountId, a => a with
        {
            Usage = result.Usage,
            PlanType = result.PlanType ?? a.PlanType,
            // A block cleared while the probe ran (an Unblock) stays cleared, and so does a free account this probe may not block.
            Block = a.Block is null && (!mayBlock || blockedBefore is not null) ? null : BlockAfterProbe(a.Block, result.Usage, now, mayClearBlock),
        });
    }

    /// <summary>
    /// A probe is the freshest word on the quota: an exhausted window blocks until its reset; a block whose
    /// windows all show room again has ended early (the window reset), so it is cleared — unless
    /// <paramref name="mayClearBlock"/> is false (the probe that follows a quota error: the usage endpoint may not
    /// show the exhaustion yet, and a block without a window, such as a rate limit, must run its course).
    /// </summary>
    internal static AccountBlock? BlockAfterProbe(AccountBlock? block, AccountUsageSnapshot usage, DateTimeOffset now, bool mayClearBlock = true)
    {
        var windows = new[] { usage.FiveHour, usage.Weekly }.OfType<UsageWindowSnapshot>().ToList();
        var exhaustedUntil = windows.Where(w => w.UsedPercent >= 100 && w.ResetsAt > now).Select(w => w.ResetsAt!.Value).DefaultIfEmpty().Max();
        if (exhaustedUntil > now)
        {
            return block is not null && block.Until >= exhaustedUntil ? block : new AccountBlock(exhaustedUntil, "usage_limit_reached");
        }
        return mayClearBlock && windows.Count > 0 && windows.All(w => w.UsedPercent < 100) ? null : block;
    }

    // Keeps the last known windows: an ambiguous failure says nothing about the quota.
    private Task<AccountRecord?> RecordErrorAsync(string accountId, string error) =>
        store.UpdateAsync(accountId, a => a with
        {
            Usage = (a.Usage ?? new AccountUsageSnapshot { ObservedAt = time.GetUtcNow() }) with { ProbeError = error },
        });

    private static partial class Log
    {
        [LoggerMessage(1301, LogLevel.Warning, "Usage probe of account {AccountId} failed: {Error}")]
        public static partial void ProbeFailed(ILogger logger, string accountId, string error);
    }
}
