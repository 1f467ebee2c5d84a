using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>
/// Reads meters: windows classified by their length (never their slot: a weekly-only plan reports its one window as
/// "primary"; docs/account-pool.md), from the <c>x-codex-*</c> response headers, and as they stand at a given moment
/// (a meter whose reset has passed is empty again).
/// </summary>
public static class UsageMeters
{
    private static readonly TimeSpan FiveHours = TimeSpan.FromHours(5);
    private static readonly TimeSpan OneWeek = TimeSpan.FromDays(7);
    private const string HeaderPrefix = "x-codex-";
    private const string PrimaryUsed = "-primary-used-percent";

    /// <summary>
    /// The kind of an ordinary window of this length: 5-hour or weekly when within 2 % of it (the upstream reports
    /// whole minutes or seconds), any other length as it is.
    /// </summary>
    public static MeterKind KindOf(TimeSpan length) =>
        Near(length, FiveHours) ? MeterKind.FiveHour : Near(length, OneWeek) ? MeterKind.Weekly : MeterKind.OtherWindow;

    /// <summary>An ordinary window meter; null when the length is unknown (the window cannot be told apart).</summary>
    public static UsageMeter? Window(double usedPercent, TimeSpan length, DateTimeOffset? resetsAt) =>
        length <= TimeSpan.Zero ? null : new UsageMeter
        {
            Kind = KindOf(length),
            UsedPercent = Math.Clamp(usedPercent, 0, 100),
            Window = length,
            ResetsAt = resetsAt,
        };

    /// <summary>
    /// The meters in the order they were read, one per key (the first wins), ordinary ones first, as one snapshot.
    /// </summary>
    public static AccountUsageSnapshot Snapshot(IEnumerable<UsageMeter?> meters, DateTimeOffset observedAt)
    {
        var kept = new List<UsageMeter>();
        foreach (var meter in meters)
        {
            if (meter is not null && kept.TrueForAll(m => m.Key != meter.Key))
            {
                kept.Add(meter);
            }
        }
        return new AccountUsageSnapshot { Meters = [.. kept.OrderBy(m => m.IsOrdinary ? 0 : 1).ThenBy(m => m.Kind)], ObservedAt = observedAt };
    }

    /// <summary>
    /// The meters the rate-limit headers of one upstream answer carry: the ordinary windows
    /// (<c>x-codex-primary-*</c>, <c>x-codex-secondary-*</c>, with <c>reset-at</c> or the older
    /// <c>reset-after-seconds</c>) and other limit families (<c>x-codex-&lt;family&gt;-primary-*</c> with
    /// <c>x-codex-&lt;family&gt;-limit-name</c>). Null when it carries none. Header names are lower-case.
    /// </summary>
    public static AccountUsageSnapshot? FromHeaders(IReadOnlyDictionary<string, string> headers, DateTimeOffset observedAt)
    {
        var meters = new List<UsageMeter?> { HeaderWindow(headers, "primary", observedAt), HeaderWindow(headers, "secondary", observedAt) };
        foreach (var name in headers.Keys)
        {
            if (!name.StartsWith(HeaderPrefix, StringComparison.Ordinal) || !name.EndsWith(PrimaryUsed, StringComparison.Ordinal)
                || name.Length <= HeaderPrefix.Length + PrimaryUsed.Length)
            {
                continue;
            }
            var family = name[HeaderPrefix.Length..^PrimaryUsed.Length];
            if (HeaderWindow(headers, family + "-primary", observedAt) is { } window)
            {
                var limitName = headers.TryGetValue($"{HeaderPrefix}{family}-limit-name", out var named) && named.Length > 0 ? named : family;
                meters.Add(window with { Kind = MeterKind.OtherLimit, LimitName = limitName });
            }
        }
        return meters.TrueForAll(m => m is null) ? null : Snapshot(meters, observedAt);
    }

    /// <summary>The snapshot as it stands at <paramref name="now"/> (see <see cref="UsageMeter.AsOf"/>).</summary>
    public static AccountUsageSnapshot? AsOf(AccountUsageSnapshot? usage, DateTimeOffset now)
    {
        if (usage is null || usage.Meters.All(m => ReferenceEquals(m.AsOf(now), m)))
        {
            return usage;
        }
        return usage with { Meters = [.. usage.Meters.Select(m => m.AsOf(now))] };
    }

    /// <summary>The window as it stands at <paramref name="now"/>: after its reset it counts as 0 % with its next reset unknown.</summary>
    public static UsageWindowSnapshot? AsOf(UsageWindowSnapshot? window, DateTimeOffset now) =>
        window is { ResetsAt: { } resetsAt } && resetsAt <= now ? window with { UsedPercent = 0, ResetsAt = null } : window;

    /// <summary>
    /// Lays what one answer's headers said over what is known: headers name only the meters they carry, so the
    /// others are kept. A limit family the headers name after a known reserve updates that reserve's window.
    /// </summary>
    public static AccountUsageSnapshot Merge(AccountUsageSnapshot? known, AccountUsageSnapshot fresh)
    {
        if (known is null || known.Meters.Count == 0)
        {
            return fresh;
        }
        var merged = known.Meters.ToList();
        foreach (var meter in fresh.Meters)
        {
            var index = merged.FindIndex(m => m.Key == meter.Key
                || (meter.Kind == MeterKind.OtherLimit && m.Kind == MeterKind.Reserve && m.LimitName == meter.LimitName));
            if (index < 0)
            {
                merged.Add(meter);
            }
            else
            {
                merged[index] = meter.Kind == MeterKind.OtherLimit && merged[index].Kind == MeterKind.Reserve
                    ? merged[index] with { UsedPercent = meter.UsedPercent, ResetsAt = meter.ResetsAt, Window = meter.Window ?? merged[index].Window, LimitReached = false }
                    : meter;
            }
        }
        return Snapshot(merged, fresh.ObservedAt) with { ProbeError = fresh.ProbeError };
    }

    private static bool Near(TimeSpan length, TimeSpan target) => Math.Abs((length - target).TotalSeconds) <= target.TotalSeconds * 0.02;

    private static UsageMeter? HeaderWindow(IReadOnlyDictionary<string, string> headers, string slot, DateTimeOffset now)
    {
        double? Read(string name) => headers.TryGetValue($"{HeaderPrefix}{slot}-{name}", out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

        if (Read("used-percent") is not { } used || Read("window-minutes") is not { } minutes || minutes <= 0 || minutes > TimeSpan.MaxValue.TotalMinutes / 2)
        {
            return null;
        }
        DateTimeOffset? resetsAt = Read("reset-at") is { } at and > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
            : Read("reset-after-seconds") is { } after and >= 0 and < 1e10 ? now.AddSeconds(after)
            : null;
        return Window(used, TimeSpan.FromMinutes(minutes), resetsAt);
    }
}
