using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiCodex.Pool;

/// <summary>What an upstream quota answer said, as far as blocking goes.</summary>
public sealed record QuotaAnswer
{
    /// <summary>The error's code or type, for example <c>usage_limit_reached</c>.</summary>
    public string? Code { get; init; }

    public string? Message { get; init; }

    /// <summary>The <c>x-codex-rate-limit-reached-type</c> header: <c>spend_control_reached</c>, <c>workspace_member_credits_depleted</c>, …</summary>
    public string? ReachedType { get; init; }

    /// <summary>The reset the upstream named (<c>resets_at</c>).</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>The reset delay the upstream named (<c>resets_in_seconds</c>), counted from the answer.</summary>
    public TimeSpan? ResetsIn { get; init; }

    /// <summary>The meters the answer's rate-limit headers carried.</summary>
    public AccountUsageSnapshot? HeaderUsage { get; init; }

    /// <summary>The key of the model-scoped meter that paid for the request (a reserve's); null when the ordinary meters did.</summary>
    public string? PaidBy { get; init; }
}

/// <summary>What an upstream outcome says about the account's quota (docs/account-pool.md, "Quota signals" and "Blocks").</summary>
public static partial class QuotaSignals
{
    /// <summary>The header that names why a limit was reached (Codex CLI 0.169+).</summary>
    public const string ReachedTypeHeader = "x-codex-rate-limit-reached-type";

    private static readonly HashSet<string> QuotaCodes = ["usage_limit_reached", "usage_not_included", "insufficient_quota", "quota_exceeded"];
    private static readonly TimeSpan RateLimitCooldown = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True for a quota outcome: a quota error code (as a 429, a 404 or a first stream event), a 429 that names
    /// why a limit was reached, or a 429/404 whose message reads like a quota. Errors caused by the request (400)
    /// never count.
    /// </summary>
    public static bool IsQuota(int status, string? code, string? message, string? reachedType = null) =>
        status != 400 && (
            (code is not null && (QuotaCodes.Contains(code) || code == "rate_limit_exceeded"))
            || (status == 429 && !string.IsNullOrEmpty(reachedType))
            || (status is 429 or 404 && message is not null && QuotaMessage().IsMatch(message)));

    /// <summary>
    /// The block a quota answer puts on the account: on which meter, and until when. The meter: a workspace stop
    /// (<c>workspace_*</c>) blocks every model; request-rate limiting or a plan without Codex blocks the account;
    /// a request a reserve paid for blocks that reserve; <c>spend_control_reached</c> blocks the credit budget; else the
    /// exhausted window the headers show, or the ordinary limit. The time: the reset the upstream named
    /// (<c>resets_at</c>, <c>resets_in_seconds</c>), else the blocked meter's own reset (from the headers, or from
    /// <paramref name="known"/> usage), else the delay a rate-limit message names (30 s without one), else
    /// <paramref name="fallback"/>. <paramref name="now"/> is when the answer came.
    /// </summary>
    public static MeterBlock BlockFor(QuotaAnswer answer, AccountUsageSnapshot? known, DateTimeOffset now, TimeSpan fallback)
    {
        var (meter, meterReset) = BlockedMeter(answer, known, now);
        var until = answer.ResetsAt is { } at && at > now ? at
            : answer.ResetsIn is { } delay && delay > TimeSpan.Zero ? now + delay
            : meterReset is { } reset && reset > now ? reset
            : answer.Code == "rate_limit_exceeded" ? now + (RetryHint(answer.Message) ?? RateLimitCooldown)
            : now + fallback;
        var reason = !string.IsNullOrEmpty(answer.ReachedType) && answer.ReachedType != "rate_limit_reached"
            ? answer.ReachedType
            : answer.Code ?? "usage_limit_reached";
        return new MeterBlock(meter, until, reason);
    }

    /// <summary>The delay in "try again in 1.5s" / "…in 200ms" (the Codex CLI's pattern).</summary>
    public static TimeSpan? RetryHint(string? message)
    {
        if (message is null || TryAgainIn().Match(message) is not { Success: true } match)
        {
            return null;
        }
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value == "ms" ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromSeconds(value);
    }

    private static (string Meter, DateTimeOffset? Reset) BlockedMeter(QuotaAnswer answer, AccountUsageSnapshot? known, DateTimeOffset now)
    {
        var reached = answer.ReachedType ?? "";
        if (reached.StartsWith("workspace_", StringComparison.Ordinal))
        {
            return (MeterKeys.Workspace, null);
        }
        if (answer.Code is "rate_limit_exceeded" or "usage_not_included")
        {
            return (MeterKeys.Account, null);
        }
        if (answer.PaidBy is { } reserve)
        {
            return (reserve, (answer.HeaderUsage?.Find(reserve) ?? known?.Find(reserve))?.ResetsAt);
        }
        if (reached == "spend_control_reached")
        {
            return (MeterKeys.Credits, known?.Find(MeterKeys.Credits)?.ResetsAt);
        }
        // The ordinary window that ran out, by the answer's headers: the one that resets last holds the account.
        UsageMeter? exhausted = null;
        foreach (var meter in answer.HeaderUsage?.Ordinary ?? [])
        {
            if (meter is { UsedPercent: >= 100, ResetsAt: { } reset } && reset > now && (exhausted is null || reset > exhausted.ResetsAt))
            {
                exhausted = meter;
            }
        }
        return exhausted is null ? (MeterKeys.Ordinary, null) : (exhausted.Key, exhausted.ResetsAt);
    }

    [GeneratedRegex(@"usage limit|quota|limit (has been )?reached|too many requests", RegexOptions.IgnoreCase)]
    private static partial Regex QuotaMessage();

    [GeneratedRegex(@"try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)", RegexOptions.IgnoreCase)]
    private static partial Regex TryAgainIn();
}
