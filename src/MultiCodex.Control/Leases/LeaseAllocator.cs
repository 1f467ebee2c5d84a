using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Tokens;
using MultiCodex.Control.Usage;

namespace MultiCodex.Control.Leases;

/// <summary>A lease granted, or why none could be: no eligible account, and when one will be.</summary>
public sealed record LeaseGrant(ActiveLease? Lease, AccountRecord? Account, Selection? Selection, DateTimeOffset? RetryAt, string? UnavailableReason);

/// <summary>How an upstream request went, as the Edge reports it.</summary>
public sealed record LeaseOutcome(
    string LeaseId, int Status, string? ErrorCode, string? ErrorMessage, DateTimeOffset? ResetsAt, TimeSpan? ResetsIn,
    IReadOnlyDictionary<string, string> RateLimitHeaders, long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens,
    TimeSpan? TimeToFirstByte, TimeSpan? Duration);

/// <summary>What Control did with an outcome.</summary>
public sealed record OutcomeEffect(bool Known, bool AccountBlocked, bool TokenRefreshed);

/// <summary>
/// Hands out accounts one request at a time (selection, stickiness, token freshness) and learns from each
/// outcome: live usage from the rate-limit headers, quota blocks, 401 recovery, the request log.
/// </summary>
public sealed partial class LeaseAllocator(
    AccountStore store,
    SessionAffinity sessions,
    LeaseLedger ledger,
    TokenRefresher refresher,
    RequestLog requests,
    IOptions<LeaseOptions> options,
    TimeProvider time,
    ILogger<LeaseAllocator> logger)
{
    public async Task<LeaseGrant> AcquireAsync(string model, string? sessionKey, IReadOnlyCollection<string> excludedIds, string? clientName)
    {
        var excluded = new HashSet<string>(excludedIds, StringComparer.Ordinal);
        var sticky = sessions.AccountFor(sessionKey);
        while (true)
        {
            var now = time.GetUtcNow();
            var selection = await store.ChooseAsync(accounts => AccountSelector.Select(accounts, excluded, sticky, now), s => s.Account, now);
            if (selection is null)
            {
                return Unavailable(now);
            }
            var account = selection.Account;
            if (refresher.IsDue(account, now))
            {
                var refreshed = await refresher.RefreshAsync(account.Id, "proactive_expiry");
                if (!refreshed.HasUsableToken)
                {
                    // This account cannot be used right now; the next one can.
                    excluded.Add(account.Id);
                    continue;
                }
                account = refreshed.Account!;
            }
            var lease = ledger.Open(account.Id, account.Tokens.AccessToken, model, sessionKey, isFailover: excludedIds.Count > 0, clientName);
            return new LeaseGrant(lease, account, selection, null, null);
        }
    }

    public async Task<OutcomeEffect> ReportAsync(LeaseOutcome outcome)
    {
        var lease = ledger.Close(outcome.LeaseId);
        if (lease is null)
        {
            return new OutcomeEffect(false, false, false);
        }
        var now = time.GetUtcNow();
        var headerUsage = UsageParser.FromHeaders(outcome.RateLimitHeaders, now);
        if (headerUsage is not null)
        {
            // Live usage: visible at once, written shortly after (the next probe would restore it anyway).
            await store.UpdateAsync(lease.AccountId, a => a with { Usage = Merge(a.Usage, headerUsage) }, deferSave: true);
        }

        var blocked = false;
        if (QuotaSignals.IsQuota(outcome.Status, outcome.ErrorCode, outcome.ErrorMessage))
        {
            var until = QuotaSignals.BlockUntil(outcome.ErrorCode, outcome.ErrorMessage, outcome.ResetsAt, outcome.ResetsIn, headerUsage,
                now, options.Value.FallbackCooldown);
            var reason = outcome.ErrorCode ?? "usage_limit_reached";
            await store.UpdateAsync(lease.AccountId, a => a with { Block = new AccountBlock(until, reason), UpdatedAt = now });
            Log.Blocked(logger, lease.AccountId, reason, until);
            blocked = true;
        }

        var refreshed = false;
        if (outcome.Status == 401)
        {
            refreshed = (await refresher.RefreshAsync(lease.AccountId, "unauthorized_recovery", lease.AccessToken)).HasUsableToken;
        }
        else if (outcome.Status is >= 200 and < 300 && outcome.ErrorCode is null && lease.SessionKey is { } sessionKey && !lease.IsFailover)
        {
            sessions.Remember(sessionKey, lease.AccountId);
        }

        requests.Add(new RequestRecord(lease.AcquiredAt, lease.ClientName, lease.AccountId, lease.Model, outcome.Status, outcome.ErrorCode,
            outcome.TimeToFirstByte, outcome.Duration, outcome.InputTokens, outcome.CachedInputTokens, outcome.OutputTokens,
            outcome.ReasoningTokens, blocked));
        return new OutcomeEffect(true, blocked, refreshed);
    }

    public int InFlight(string accountId) => ledger.InFlight(accountId);

    private LeaseGrant Unavailable(DateTimeOffset now)
    {
        var accounts = store.All;
        // Excluded accounts count too: the caller excluded them because they just hit their quota.
        var waiting = accounts.Where(a => a.Enabled && a.ReauthReason is null && a.IsBlockedAt(now)).ToList();
        DateTimeOffset? retryAt = waiting.Count > 0 ? waiting.Min(a => a.Block!.Until) : null;
        var reason = accounts.Count == 0 ? "No accounts are configured."
            : waiting.Count > 0 ? $"Every usable account is blocked by its quota; the first is free again at {retryAt:u}."
            : accounts.All(a => !a.Enabled) ? "Every account is disabled."
            : accounts.Where(a => a.Enabled).All(a => a.ReauthReason is not null) ? "Every enabled account needs a new sign-in."
            : "No account is eligible for this request (all were tried, disabled, or need a new sign-in).";
        return new LeaseGrant(null, null, null, retryAt, reason);
    }

    // Headers name only the windows they carry; keep the other one as last known.
    private static AccountUsageSnapshot Merge(AccountUsageSnapshot? known, AccountUsageSnapshot fresh) =>
        fresh with
        {
            FiveHour = fresh.FiveHour ?? known?.FiveHour,
            Weekly = fresh.Weekly ?? known?.Weekly,
        };

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Warning, "Account {AccountId} blocked ({Reason}) until {Until:u}")]
        public static partial void Blocked(ILogger logger, string accountId, string reason, DateTimeOffset until);
    }
}
