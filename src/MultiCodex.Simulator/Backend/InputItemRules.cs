using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>Rules on the <c>input</c> items (docs/upstream-protocol.md §3, §6, §7): no system role, no
/// <c>item_reference</c> with <c>store:false</c>, every tool call answered, at most one <c>compaction_trigger</c> and only
/// as the last item, compaction items only with content this backend sealed, and the Responses Lite tool limits.</summary>
internal static class InputItemRules
{
    public const string TriggerType = "compaction_trigger";

    /// <summary>Tool types Responses Lite runs (the rest are hosted tools it refuses).</summary>
    private static readonly string[] LiteToolTypes = ["function", "custom", "namespace"];

    public static JsonObject? Check(JsonElement input, CompactionSeal seal)
    {
        var calls = new List<string>();
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var items = input.EnumerateArray().ToList();
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            if (item.ValueKind != JsonValueKind.Object)
            {
                return BackendErrors.InvalidRequest("Invalid type for 'input[]': expected an object.", "input");
            }

            var type = Text(item, "type") ?? "message";
            if (Text(item, "role") == "system")
            {
                return BackendErrors.Detail("System messages are not allowed");
            }

            switch (type)
            {
                case "item_reference":
                    return BackendErrors.InvalidRequest(
                        $"Item with id '{Text(item, "id")}' not found. Items are not persisted when `store` is set to false. "
                        + "Try again with `store` set to true, or remove this item from your input.", "input");
                case TriggerType when index != items.Count - 1:
                    return BackendErrors.CompactionTriggerNotLast(index);
                case "compaction" when !seal.Verify(Text(item, "encrypted_content")):
                    return BackendErrors.InvalidEncryptedContent(Text(item, "id"));
                case "function_call" or "custom_tool_call":
                    calls.Add(Text(item, "call_id") ?? "");
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    outputs.Add(Text(item, "call_id") ?? "");
                    break;
            }
        }

        if (items.Count(IsTrigger) > 1)
        {
            return BackendErrors.CompactionTriggerNotLast(items.FindIndex(IsTrigger));
        }

        var orphan = calls.FirstOrDefault(c => !outputs.Contains(c));
        return orphan is null ? null : BackendErrors.InvalidRequest($"No tool output found for function call {orphan}.", "input");
    }

    /// <summary>Responses Lite refuses hosted tools, in the top-level <c>tools</c> and in <c>additional_tools</c> items alike.</summary>
    public static JsonObject? CheckLiteTools(JsonElement tools, JsonElement input)
    {
        var lists = new List<JsonElement>();
        if (tools.ValueKind == JsonValueKind.Array)
        {
            lists.Add(tools);
        }

        foreach (var item in input.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object && Text(i, "type") == "additional_tools"))
        {
            foreach (var name in new[] { "tools", "additional_tools" })
            {
                if (item.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    lists.Add(list);
                }
            }
        }

        return lists.Any(list => list.EnumerateArray().Any(tool => !IsLiteTool(tool))) ? BackendErrors.ResponsesLiteHostedTool() : null;
    }

    public static bool IsTrigger(JsonElement item) => item.ValueKind == JsonValueKind.Object && Text(item, "type") == TriggerType;

    public static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsLiteTool(JsonElement tool)
    {
        var type = tool.ValueKind == JsonValueKind.Object ? Text(tool, "type") : null;
        if (type == "tool_search")
        {
            // Tool search is allowed only when the client runs it; the hosted kind is refused.
            return Text(tool, "execution") == "client";
        }

        if (type == "namespace" && tool.TryGetProperty("tools", out var nested) && nested.ValueKind == JsonValueKind.Array)
        {
            return nested.EnumerateArray().All(IsLiteTool);
        }

        return type is not null && LiteToolTypes.Contains(type);
    }
}
