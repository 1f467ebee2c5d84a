using System.Globalization;
using System.Text.Json.Nodes;

namespace MultiCodex.Control.Usage;

/// <summary>
/// Turns the usage endpoint's JSON into meters (docs/account-pool.md, "Meters"): the ordinary windows of
/// <c>rate_limit</c> classified by their length, not their slot (a weekly-only plan reports its one window as
/// "primary"); the monthly credit budget of <c>spend_control.individual_limit</c> (Business / Enterprise, with
/// <c>rate_limit: null</c>); and every <c>additional_rate_limits</c> entry as a model-scoped meter (a reserve when it
/// names the model it serves).
/// </summary>
public static class UsageParser
{
    public static AccountUsageSnapshot Parse(JsonObject payload, DateTimeOffset now)
    {
        var meters = new List<UsageMeter?>();
        if (payload["rate_limit"] is JsonObject limits)
        {
            meters.Add(Window(limits["primary_window"], now));
            meters.Add(Window(limits["secondary_window"], now));
        }
        if (payload["spend_control"] is JsonObject spend && spend["individual_limit"] is JsonObject budget)
        {
            meters.Add(CreditBudget(budget, spend["reached"] is JsonValue reached && reached.TryGetValue<bool>(out var flag) && flag, now));
        }
        foreach (var entry in payload["additional_rate_limits"] as JsonArray ?? [])
        {
            if (entry is JsonObject limit)
            {
                meters.Add(ModelScoped(limit, now));
            }
        }
        return UsageMeters.Snapshot(meters, now);
    }

    /// <summary>Why the account is limited now (<c>rate_limit_reached_type.type</c>, e.g. <c>workspace_member_credits_depleted</c>); null while it is not.</summary>
    public static string? ReachedType(JsonObject payload) =>
        payload["rate_limit_reached_type"] switch
        {
            JsonObject named => Text(named["type"]),
            var plain => Text(plain),
        };

    private static UsageMeter? Window(JsonNode? node, DateTimeOffset now)
    {
        if (node is not JsonObject window || Number(window["used_percent"]) is not { } used
            || Number(window["limit_window_seconds"]) is not ({ } seconds and > 0 and < 1e9))
        {
            return null;
        }
        return UsageMeters.Window(used, TimeSpan.FromSeconds(seconds), Reset(window, now));
    }

    private static UsageMeter? CreditBudget(JsonObject budget, bool reached, DateTimeOffset now)
    {
        var limit = Amount(budget["limit"]);
        var used = Amount(budget["used"]) ?? (limit is { } l && Amount(budget["remaining"]) is { } left ? l - left : null);
        var percent = Number(budget["used_percent"]) ?? (limit is > 0 && used is { } u ? (double)(u / limit.Value * 100) : null);
        if (percent is null && limit is null)
        {
            return null;
        }
        return new UsageMeter
        {
            Kind = MeterKind.CreditBudget,
            UsedPercent = Math.Clamp(percent ?? 0, 0, 100),
            CreditLimit = limit,
            CreditsUsed = used,
            ResetsAt = Reset(budget, now),
            LimitReached = reached,
        };
    }

    private static UsageMeter? ModelScoped(JsonObject limit, DateTimeOffset now)
    {
        var name = Text(limit["limit_name"]) ?? Text(limit["metered_feature"]);
        if (name is null)
        {
            return null;
        }
        var rateLimit = limit["rate_limit"] as JsonObject;
        // The window that is more used holds the limit (a reserve reports one, weekly).
        var window = new[] { Window(rateLimit?["primary_window"], now), Window(rateLimit?["secondary_window"], now) }
            .OfType<UsageMeter>().OrderByDescending(w => w.UsedPercent).FirstOrDefault();
        var model = Text(limit["normal_model_slug"]);
        return new UsageMeter
        {
            Kind = model is null ? MeterKind.OtherLimit : MeterKind.Reserve,
            UsedPercent = window?.UsedPercent ?? 0,
            Window = window?.Window,
            ResetsAt = window?.ResetsAt,
            LimitName = name,
            Model = model,
            LimitReached = (rateLimit?["allowed"] is JsonValue allowed && allowed.TryGetValue<bool>(out var isAllowed) && !isAllowed)
                || (rateLimit?["limit_reached"] is JsonValue reached && reached.TryGetValue<bool>(out var isReached) && isReached),
        };
    }

    private static DateTimeOffset? Reset(JsonObject node, DateTimeOffset now) =>
        Number(node["reset_at"]) is { } at and > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds((long)at)
        : Number(node["reset_after_seconds"]) is { } after and >= 0 and < 1e10 ? now.AddSeconds(after)
        : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static decimal? Amount(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<decimal>(out var number)
            || (value.TryGetValue<string>(out var text) && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out number)))
            ? number : null;

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number
        : node is JsonValue text && text.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? parsed
        : null;
}
