using System.Text;
using System.Text.Json;

namespace MultiCodex.Edge.Chat;

/// <summary>Tolerant reads of upstream SSE event payloads: a missing or mistyped field yields the fallback.</summary>
internal static class EventData
{
    public static JsonElement Get(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;

    public static string? String(JsonElement parent, string name) =>
        Get(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static int Int(JsonElement parent, string name, int fallback = -1) =>
        Get(parent, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : fallback;

    public static long Long(JsonElement parent, string name) =>
        Get(parent, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : 0;

    /// <summary>Joins the <paramref name="field"/> of every non-empty part of <paramref name="type"/> in an array.</summary>
    public static string JoinTexts(JsonElement parts, string type, string field, string separator)
    {
        if (parts.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var joined = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            if (String(part, "type") == type && String(part, field) is { Length: > 0 } text)
            {
                joined.Append(joined.Length == 0 ? "" : separator).Append(text);
            }
        }

        return joined.ToString();
    }
}
