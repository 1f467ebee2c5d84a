using System.Text.Json.Nodes;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Turns the usage endpoint's JSON into 5-hour and weekly windows, recognised by their length, not their slot:
/// some plans report a weekly window as "primary" with no secondary (docs/account-pool.md).
/// </summary>
public static class UsageParser
{
    public static AccountUsageSnapshot Parse(JsonObject payload, DateTimeOffset now)
    {
        var limits = payload["rate_limit"] as JsonObject;
        return UsageWindows.Classify([Window(limits?["primary_window"], now), Window(limits?["secondary_window"], now)], now);
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
