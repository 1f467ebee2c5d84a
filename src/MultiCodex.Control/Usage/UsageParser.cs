using System.Text.Json.Nodes;
using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Turns the usage JSON (and the x-codex-* headers' windows) into 5-hour and weekly windows, recognised by their
/// length, not their slot: some plans report a weekly window as "primary" with no secondary (codex-protocol.md §4.1).
/// </summary>
public static class UsageParser
{
    /// <summary>Windows up to a day long count as the short ("5h") window; longer ones as the weekly window.</summary>
    private static readonly TimeSpan ShortWindowLimit = TimeSpan.FromDays(1);

    public static AccountUsageSnapshot Parse(JsonObject payload, DateTimeOffset now)
    {
        var limits = payload["rate_limit"] as JsonObject;
        return Classify([Window(limits?["primary_window"], now), Window(limits?["secondary_window"], now)], now);
    }

    /// <summary>Places windows into the 5-hour and weekly slots by their length.</summary>
    public static AccountUsageSnapshot Classify(IEnumerable<UsageWindowSnapshot?> windows, DateTimeOffset now)
    {
        UsageWindowSnapshot? fiveHour = null, weekly = null;
        foreach (var window in windows.OfType<UsageWindowSnapshot>())
        {
            if (window.Length <= ShortWindowLimit)
            {
                fiveHour ??= window;
            }
            else
            {
                weekly ??= window;
            }
        }
        return new AccountUsageSnapshot { FiveHour = fiveHour, Weekly = weekly, ObservedAt = now };
    }

    /// <summary>
    /// Reads the windows of the <c>x-codex-primary-*</c> / <c>x-codex-secondary-*</c> response headers
    /// (codex-protocol.md §4.1; both reset-at and the legacy reset-after-seconds). Null when none is present.
    /// </summary>
    public static AccountUsageSnapshot? FromHeaders(IReadOnlyDictionary<string, string> headers, DateTimeOffset now)
    {
        var windows = new[] { HeaderWindow(headers, "primary", now), HeaderWindow(headers, "secondary", now) };
        return windows.All(w => w is null) ? null : Classify(windows, now);
    }

    private static UsageWindowSnapshot? HeaderWindow(IReadOnlyDictionary<string, string> headers, string slot, DateTimeOffset now)
    {
        double? Read(string name) => headers.TryGetValue($"x-codex-{slot}-{name}", out var text)
            && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

        if (Read("used-percent") is not { } used || Read("window-minutes") is not { } minutes || minutes <= 0)
        {
            return null;
        }
        DateTimeOffset? resetsAt = Read("reset-at") is { } at and > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
            : Read("reset-after-seconds") is { } after ? now.AddSeconds(after)
            : null;
        return new UsageWindowSnapshot(Math.Clamp(used, 0, 100), TimeSpan.FromMinutes(minutes), resetsAt);
    }

    private static UsageWindowSnapshot? Window(JsonNode? node, DateTimeOffset now)
    {
        if (node is not JsonObject window || Number(window["used_percent"]) is not { } used)
        {
            return null;
        }
        var seconds = Number(window["limit_window_seconds"]);
        if (seconds is null or <= 0)
        {
            return null;
        }
        DateTimeOffset? resetsAt = Number(window["reset_at"]) is { } at and > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
            : Number(window["reset_after_seconds"]) is { } after ? now.AddSeconds(after)
            : null;
        return new UsageWindowSnapshot(Math.Clamp(used, 0, 100), TimeSpan.FromSeconds(seconds.Value), resetsAt);
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) ? number
        : node is JsonValue text && text.TryGetValue<string>(out var s) && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;
}
