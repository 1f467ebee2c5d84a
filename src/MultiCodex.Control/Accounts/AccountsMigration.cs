using System.Text.Json.Nodes;

namespace MultiCodex.Control.Accounts;

/// <summary>
/// Upgrades accounts.json of an older schema as it is read. Schema 1 kept two windows (<c>usage.fiveHour</c>,
/// <c>usage.weekly</c>) and one block (<c>block</c>); schema 2 keeps every meter (<c>usage.meters</c>) and one block
/// per meter (<c>blocks</c>). Nothing is lost: the windows become the <c>5h</c> and <c>weekly</c> meters, and the
/// block becomes a block on the ordinary limit (or on the whole account, for a request-rate limit).
/// </summary>
internal static class AccountsMigration
{
    public static JsonObject Upgrade(JsonObject document)
    {
        var version = document["schemaVersion"] is JsonValue value && value.TryGetValue<int>(out var number) ? number : 1;
        if (version >= 2)
        {
            return document;
        }
        foreach (var account in document["accounts"] as JsonArray ?? [])
        {
            if (account is JsonObject record)
            {
                UpgradeUsage(record["usage"] as JsonObject);
                UpgradeBlock(record);
            }
        }
        document["schemaVersion"] = 2;
        return document;
    }

    private static void UpgradeUsage(JsonObject? usage)
    {
        if (usage is null)
        {
            return;
        }
        var meters = new JsonArray();
        foreach (var (name, kind) in new[] { ("fiveHour", nameof(MeterKind.FiveHour)), ("weekly", nameof(MeterKind.Weekly)) })
        {
            if (usage[name] is JsonObject window)
            {
                meters.Add(new JsonObject
                {
                    ["kind"] = kind,
                    ["usedPercent"] = window["usedPercent"]?.DeepClone(),
                    ["window"] = window["length"]?.DeepClone(),
                    ["resetsAt"] = window["resetsAt"]?.DeepClone(),
                });
            }
            usage.Remove(name);
        }
        usage["meters"] = meters;
    }

    private static void UpgradeBlock(JsonObject record)
    {
        if (record["block"] is not JsonObject block)
        {
            return;
        }
        record.Remove("block");
        var reason = block["reason"] is JsonValue text && text.TryGetValue<string>(out var code) ? code : "usage_limit_reached";
        record["blocks"] = new JsonArray(new JsonObject
        {
            ["meter"] = reason is "rate_limit_exceeded" or "usage_not_included" ? MeterKeys.Account : MeterKeys.Ordinary,
            ["until"] = block["until"]?.DeepClone(),
            ["reason"] = reason,
        });
    }
}
