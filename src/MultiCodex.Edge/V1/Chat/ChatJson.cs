using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Typed reads of a Chat Completions request with OpenAI-worded errors. Each reader takes the parent object, the field
/// name and the parent's parameter path; the full path (<c>parent.field</c>) is only formatted when an error is thrown.
/// </summary>
internal static class ChatJson
{
    public static string RequireString(JsonObject parent, string name, string path)
    {
        var node = parent[name];
        return node is null ? throw Missing(Join(path, name)) : AsString(node, Join(path, name));
    }

    public static string? OptionalString(JsonObject parent, string name, string path)
    {
        var node = parent[name];
        return node is null ? null : AsString(node, Join(path, name));
    }

    public static bool? OptionalBool(JsonObject parent, string name, string path)
    {
        var node = parent[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw InvalidType(Join(path, name), "a boolean", node),
        };
    }

    public static JsonObject? OptionalObject(JsonObject parent, string name, string path) => parent[name] switch
    {
        null => null,
        JsonObject value => value,
        var other => throw InvalidType(Join(path, name), "an object", other),
    };

    public static JsonObject RequireObject(JsonObject parent, string name, string path) =>
        OptionalObject(parent, name, path) ?? throw Missing(Join(path, name));

    public static JsonObject AsObject(JsonNode? node, string path) =>
        node as JsonObject ?? throw InvalidType(path, "an object", node);

    public static string AsString(JsonNode node, string path) =>
        node is JsonValue value && value.TryGetValue(out string? text) ? text : throw InvalidType(path, "a string", node);

    public static ChatRequestException Missing(string param) => new($"Missing required parameter: '{param}'.", param);

    public static ChatRequestException InvalidType(string param, string expected, JsonNode? actual) =>
        new($"Invalid type for '{param}': expected {expected}, but got {Describe(actual)} instead.", param);

    public static ChatRequestException InvalidValue(string param, string value, string supported) =>
        new($"Invalid value: '{value}'. Supported values are: {supported}.", param);

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
