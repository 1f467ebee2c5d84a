using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiCodex.Pool;

/// <summary>What an upstream outcome says about the account's quota (docs/account-pool.md, "Quota signals").</summary>
public static partial class QuotaSignals
{
    private static readonly HashSet<string> QuotaCodes = ["usage_limit_reached", "usage_not_included", "insufficient_quota", "quota_exceeded"];
    private static readonly TimeSpan RateLimitCooldown = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True for a quota outcome: a quota error code (as a 429, a 404 or a first stream event), or a 429/404 whose
    /// message reads like a quota. Errors caused by the request (400) never count.
    /// </summary>
    public static bool IsQuota(int status, string? code, string? message) =>
        status != 400 && (
            (code is not null && (QuotaCodes.Contains(code) || code == "rate_limit_exceeded"))
            || (status is 429 or 404 && message is not null && QuotaMessage().IsMatch(message)));

    /// <summary>
    /// Until when to block: the reset the upstream named (resets_at, resets_in_seconds), else the reset of the
    /// exhausted window in the rate-limit headers, else a short cooldown for plain rate limiting (or the delay
    /// its message names), else <paramref name="fallback"/>. <paramref name="now"/> is when the answer came.
    /// </summary>
    public static DateTimeOffset BlockUntil(
        string? code, string? message, DateTimeOffset? resetsAt, TimeSpan? resetsIn, AccountUsageSnapshot? headerUsage,
        DateTimeOffset now, TimeSpan fallback)
    {
        if (resetsAt is { } at && at > now)
        {
            return at;
        }
        if (resetsIn is { } delay && delay > TimeSpan.Zero)
        {
            return now + delay;
        }
        DateTimeOffset? exhausted = null;
        foreach (var window in (ReadOnlySpan<UsageWindowSnapshot?>)[headerUsage?.FiveHour, headerUsage?.Weekly])
        {
            if (window is { UsedPercent: >= 100, ResetsAt: { } reset } && reset > now && (exhausted is null || reset > exhausted))
            {
                exhausted = reset;
            }
        }
        if (exhausted is { } windowReset)
        {
            return windowReset;
        }
        if (code == "rate_limit_exceeded")
        {
            return now + (RetryHint(message) ?? RateLimitCooldown);
        }
        return now + fallback;
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

    [GeneratedRegex(@"usage limit|quota|limit (has been )?reached|too many requests", RegexOptions.IgnoreCase)]
    private static partial Regex QuotaMessage();

    [GeneratedRegex(@"try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)", RegexOptions.IgnoreCase)]
    private static partial Regex TryAgainIn();
}
