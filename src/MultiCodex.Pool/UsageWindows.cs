using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>One rate-limit window as last observed.</summary>
/// <param name="UsedPercent">0–100.</param>
/// <param name="Length">The window's length (5 hours, a week, …): what identifies it.</param>
/// <param name="ResetsAt">When the window starts over, if known.</param>
public sealed record UsageWindowSnapshot(double UsedPercent, TimeSpan Length, DateTimeOffset? ResetsAt);

/// <summary>An account's windows, recognised by their length, and when they were seen.</summary>
public sealed record AccountUsageSnapshot
{
    public UsageWindowSnapshot? FiveHour { get; init; }
    public UsageWindowSnapshot? Weekly { get; init; }
    public DateTimeOffset ObservedAt { get; init; }

    /// <summary>Why the last usage probe failed, if it did (the windows are then the last known ones).</summary>
    public string? ProbeError { get; init; }
}

/// <summary>
/// Reads usage windows: from the <c>x-codex-primary-*</c> / <c>x-codex-secondary-*</c> response headers, into the
/// 5-hour and weekly slots by their length (not their slot: some plans report a weekly window as "primary" with
/// no secondary; docs/account-pool.md), and as they stand at a given moment (a window whose reset has passed is
/// empty again).
/// </summary>
public static class UsageWindows
{
    /// <summary>Windows up to a day long count as the short ("5h") window; longer ones as the weekly window.</summary>
    private static readonly TimeSpan ShortWindowLimit = TimeSpan.FromDays(1);

    /// <summary>Places windows into the 5-hour and weekly slots by their length.</summary>
    public static AccountUsageSnapshot Classify(IEnumerable<UsageWindowSnapshot?> windows, DateTimeOffset observedAt)
    {
        UsageWindowSnapshot? fiveHour = null, weekly = null;
        foreach (var window in windows)
        {
            if (window is null)
            {
                continue;
            }
            if (window.Length <= ShortWindowLimit)
            {
                fiveHour ??= window;
            }
            else
            {
                weekly ??= window;
            }
        }
        return new AccountUsageSnapshot { FiveHour = fiveHour, Weekly = weekly, ObservedAt = observedAt };
    }

    /// <summary>
    /// The windows the rate-limit headers of one upstream answer carry (both <c>reset-at</c> and the older
    /// <c>reset-after-seconds</c>); null when it carries none. Header names are lower-case.
    /// </summary>
    public static AccountUsageSnapshot? FromHeaders(IReadOnlyDictionary<string, string> headers, DateTimeOffset observedAt)
    {
        var primary = HeaderWindow(headers, "primary", observedAt);
        var secondary = HeaderWindow(headers, "secondary", observedAt);
        return primary is null && secondary is null ? null : Classify([primary, secondary], observedAt);
    }

    /// <summary>
    /// The window as it stands at <paramref name="now"/>: once its reset time has passed it has started over, so it
    /// counts as 0 % used with its next reset unknown (issue #11: a stale 100 % must not keep an account last).
    /// </summary>
    public static UsageWindowSnapshot? AsOf(UsageWindowSnapshot? window, DateTimeOffset now) =>
        window is { ResetsAt: { } resetsAt } && resetsAt <= now ? window with { UsedPercent = 0, ResetsAt = null } : window;

    /// <summary>The whole snapshot as it stands at <paramref name="now"/> (see <see cref="AsOf(UsageWindowSnapshot?, DateTimeOffset)"/>).</summary>
    public static AccountUsageSnapshot? AsOf(AccountUsageSnapshot? usage, DateTimeOffset now)
    {
        if (usage is null)
        {
            return null;
        }
        var fiveHour = AsOf(usage.FiveHour, now);
        var weekly = AsOf(usage.Weekly, now);
        return ReferenceEquals(fiveHour, usage.FiveHour) && ReferenceEquals(weekly, usage.Weekly)
            ? usage
            : usage with { FiveHour = fiveHour, Weekly = weekly };
    }

    /// <summary>Keeps the windows <paramref name="known"/> has that <paramref name="fresh"/> lacks (headers name only the ones they carry).</summary>
    public static AccountUsageSnapshot Merge(AccountUsageSnapshot? known, AccountUsageSnapshot fresh) =>
        fresh with { FiveHour = fresh.FiveHour ?? known?.FiveHour, Weekly = fresh.Weekly ?? known?.Weekly };

    private static UsageWindowSnapshot? HeaderWindow(IReadOnlyDictionary<string, string> headers, string slot, DateTimeOffset now)
    {
        double? Read(string name) => headers.TryGetValue($"x-codex-{slot}-{name}", out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

        if (Read("used-percent") is not { } used || Read("window-minutes") is not { } minutes || minutes <= 0)
        {
            return null;
        }
        DateTimeOffset? resetsAt = Read("reset-at") is { } at and > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
            : Read("reset-after-seconds") is { } after ? now.AddSeconds(after)
            : null;
        return new UsageWindowSnapshot(Math.Clamp(used, 0, 100), TimeSpan.FromMinutes(minutes), resetsAt);
    }
}
