using System.Net;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Tokens;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Probes one account's usage and stores it with the account. A 401 goes through the token refresh once;
/// any other refusal is recorded as the probe's error and never disables the account.
/// </summary>
public sealed partial class UsageProber(
    AccountStore store, UsageClient client, TokenRefresher refresher, IOptions<PoolOptions> poolOptions, TimeProvider time, ILogger<UsageProber> logger)
{
    /// <summary>
    /// Probes the account; returns it as stored afterwards, or null when the id is unknown. With
    /// <paramref name="mayClearBlock"/> false the probe may lengthen a block but not end it (see <see cref="BlocksAfterProbe"/>).
    /// </summary>
    public async Task<AccountRecord?> ProbeAsync(string accountId, CancellationToken cancellationToken, bool mayClearBlock = true)
    {
        var account = store.Find(accountId);
        if (account is null)
        {
            return null;
        }
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
            Blocks = BlocksAfterProbe(a.Blocks, result.Usage, result.ReachedType, now, poolOptions.Value.FallbackCooldown, mayClearBlock),
        });
    }

    /// <summary>
    /// A probe is the freshest word on the quota, meter by meter: a spent meter blocks until its reset (a spent credit
    /// budget as <c>spend_control_reached</c>); a workspace stop the payload names blocks every model (for the
    /// fallback time when no reset is known: the block's end probes again); a block whose meter shows room again has
    /// ended early (the meter reset), so it is cleared — unless <paramref name="mayClearBlock"/> is false (the probe
    /// that follows a quota error: the usage endpoint may not show the exhaustion yet, and a block without a meter,
    /// such as a rate limit, must run its course).
    /// </summary>
    internal static IReadOnlyList<MeterBlock> BlocksAfterProbe(
        IReadOnlyList<MeterBlock> blocks, AccountUsageSnapshot usage, string? reachedType, DateTimeOffset now, TimeSpan fallback, bool mayClearBlock = true)
    {
        var next = MeterBlocks.InForce(blocks, now);
        foreach (var meter in usage.Meters)
        {
            if (meter.Kind != MeterKind.OtherLimit && meter.IsExhausted && meter.ResetsAt is { } reset && reset > now)
            {
                next = MeterBlocks.With(next, new MeterBlock(meter.Key, reset, meter.Kind == MeterKind.CreditBudget ? "spend_control_reached" : "usage_limit_reached"));
            }
        }
        var workspaceStop = reachedType?.StartsWith("workspace_", StringComparison.Ordinal) == true;
        if (workspaceStop && !next.Any(b => b.Meter == MeterKeys.Workspace))
        {
            next = MeterBlocks.With(next, new MeterBlock(MeterKeys.Workspace, now + fallback, reachedType!));
        }
        if (!mayClearBlock)
        {
            return next;
        }
        var ordinary = usage.Ordinary.ToList();
        var ordinaryRoom = ordinary.Count > 0 && ordinary.TrueForAll(m => !m.IsExhausted);
        var kept = next.Where(block => block.Meter switch
        {
            MeterKeys.Workspace => workspaceStop,
            MeterKeys.Ordinary or MeterKeys.Account => !ordinaryRoom,
            var key => usage.Find(key) is not { } meter || meter.IsExhausted,
        }).ToList();
        return kept.Count == next.Count ? next : kept;
    }

    // Keeps the last known meters: an ambiguous failure says nothing about the quota.
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
