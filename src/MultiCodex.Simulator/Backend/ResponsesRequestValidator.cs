using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>The backend's request rules for <c>/codex/responses</c> (codex-protocol.md §2.3), tolerant of what the
/// Codex CLI 0.169 really sends: item ids, <c>internal_chat_message_metadata_passthrough</c>, <c>client_metadata</c>,
/// tools of any type, and no <c>instructions</c>.</summary>
internal static class ResponsesRequestValidator
{
    public static ResponsesRequest Validate(JsonElement? body, IEnumerable<string> catalogSlugs, FakeChatGptOptions options)
    {
        if (body is not { ValueKind: JsonValueKind.Object } root)
        {
            return Fail(BackendErrors.Detail("There was an error parsing the body"));
        }

        foreach (var name in options.UnsupportedParameters)
        {
            if (root.TryGetProperty(name, out _))
            {
                return Fail(BackendErrors.Detail($"Unsupported parameter: {name}"));
            }
        }

        if (!root.TryGetProperty("store", out var store) || store.ValueKind != JsonValueKind.False)
        {
            return Fail(BackendErrors.Detail("Store must be set to false"));
        }

        if (!root.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            return Fail(BackendErrors.Detail("Stream must be set to true"));
        }

        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return Fail(BackendErrors.Detail("Instructions must be a string"));
        }

        if (!root.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Array)
        {
            return Fail(BackendErrors.Detail("Input must be a list"));
        }

        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (model.Length == 0)
        {
            return Fail(BackendErrors.InvalidRequest("Missing required parameter: 'model'.", "model"));
        }

        if (!catalogSlugs.Contains(model, StringComparer.Ordinal))
        {
            return Fail(BackendErrors.UnsupportedModel(model));
        }

        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            return Fail(BackendErrors.InvalidRequest("Invalid type for 'tools': expected an array.", "tools"));
        }

        var itemError = CheckItems(input);
        if (itemError is not null)
        {
            return Fail(itemError);
        }

        return new ResponsesRequest(
            null,
            model,
            LastUserText(input),
            root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object,
            root.TryGetProperty("prompt_cache_key", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null);
    }

    private static JsonObject? CheckItems(JsonElement input)
    {
        var calls = new List<string>();
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in input.EnumerateArray())
        {
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
                case "function_call" or "custom_tool_call":
                    calls.Add(Text(item, "call_id") ?? "");
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    outputs.Add(Text(item, "call_id") ?? "");
                    break;
            }
        }

        var orphan = calls.FirstOrDefault(c => !outputs.Contains(c));
        return orphan is null ? null : BackendErrors.InvalidRequest($"No tool output found for function call {orphan}.", "input");
    }

    /// <summary>The text of the last user message: what the deterministic reply echoes.</summary>
    private static string LastUserText(JsonElement input)
    {
        var last = input.EnumerateArray().LastOrDefault(i => i.ValueKind == JsonValueKind.Object && Text(i, "role") == "user");
        if (last.ValueKind != JsonValueKind.Object || !last.TryGetProperty("content", out var content))
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!.Trim();
        }

        var text = new StringBuilder();
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && Text(part, "text") is { } t)
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(t);
                }
            }
        }

        return text.ToString().Trim();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ResponsesRequest Fail(JsonObject error) => new(error, "", "", false, null);
}

/// <summary>What the endpoint needs from a validated request, or the 400 body.</summary>
internal sealed record ResponsesRequest(
    JsonObject? Error,
    string Model,
    string LastUserText,
    bool WithReasoning,
    string? PromptCacheKey);
