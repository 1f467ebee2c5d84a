using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>The backend's top-level request rules for <c>/codex/responses</c> (docs/upstream-protocol.md §3), tolerant of
/// what the Codex CLI 0.171 really sends: item ids, <c>internal_chat_message_metadata_passthrough</c>,
/// <c>client_metadata</c>, tools of any type, no <c>instructions</c>. Item rules live in <see cref="InputItemRules"/>.</summary>
internal static class ResponsesRequestValidator
{
    /// <summary>Accepted only over WebSocket; HTTP answers "Unsupported parameter" (docs/upstream-protocol.md §5.2).</summary>
    private static readonly string[] WebSocketOnlyParameters = ["previous_response_id", "generate"];

    /// <summary>Public-API-only WebSocket fields the ChatGPT backend refuses.</summary>
    private static readonly string[] PublicApiOnlyParameters = ["stream_id"];

    public static ResponsesRequest Validate(JsonElement? body, ResponsesTransport transport, bool isLite, FakeChatGptOptions options, CompactionSeal seal)
    {
        if (body is not { ValueKind: JsonValueKind.Object } root)
        {
            return ResponsesRequest.Fail(BackendErrors.Detail("There was an error parsing the body"));
        }

        var refused = options.UnsupportedParameters.Concat(PublicApiOnlyParameters)
            .Concat(transport == ResponsesTransport.Http ? WebSocketOnlyParameters : [])
            .FirstOrDefault(name => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null);
        if (refused is not null)
        {
            return ResponsesRequest.Fail(BackendErrors.Detail($"Unsupported parameter: {refused}"));
        }

        if (!root.TryGetProperty("store", out var store) || store.ValueKind != JsonValueKind.False)
        {
            return ResponsesRequest.Fail(BackendErrors.Detail("Store must be set to false"));
        }

        // Over WebSocket streaming is implicit (codex still sends stream:true).
        if (transport == ResponsesTransport.Http && (!root.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True))
        {
            return ResponsesRequest.Fail(BackendErrors.Detail("Stream must be set to true"));
        }

        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return ResponsesRequest.Fail(BackendErrors.Detail("Instructions must be a string"));
        }

        if (!root.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Array)
        {
            return ResponsesRequest.Fail(BackendErrors.Detail("Input must be a list"));
        }

        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (model.Length == 0)
        {
            return ResponsesRequest.Fail(BackendErrors.InvalidRequest("Missing required parameter: 'model'.", "model"));
        }

        if (!ModelCatalog.Accepts(model))
        {
            return ResponsesRequest.Fail(BackendErrors.UnsupportedModel(model));
        }

        root.TryGetProperty("tools", out var tools);
        if (tools.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            return ResponsesRequest.Fail(BackendErrors.InvalidRequest("Invalid type for 'tools': expected an array.", "tools"));
        }

        if ((InputItemRules.Check(input, seal) ?? (isLite ? InputItemRules.CheckLiteTools(tools, input) : null)) is { } itemError)
        {
            return ResponsesRequest.Fail(itemError);
        }

        var items = input.EnumerateArray().ToList();
        return new ResponsesRequest(
            null,
            model,
            LastUserText(items),
            root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object,
            root.TryGetProperty("prompt_cache_key", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null)
        {
            IsCompaction = items.Count > 0 && InputItemRules.IsTrigger(items[^1]),
            IsLite = isLite,
            Generate = !(transport == ResponsesTransport.WebSocket && root.TryGetProperty("generate", out var generate) && generate.ValueKind == JsonValueKind.False),
            Input = (JsonArray)JsonNode.Parse(input.GetRawText())!,
        };
    }

    /// <summary>The text of the last user message: what the deterministic reply echoes.</summary>
    private static string LastUserText(List<JsonElement> items)
    {
        var last = items.LastOrDefault(i => i.ValueKind == JsonValueKind.Object && InputItemRules.Text(i, "role") == "user");
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
                if (part.ValueKind == JsonValueKind.Object && InputItemRules.Text(part, "text") is { } t)
                {
                    text.Append(text.Length > 0 ? "\n" : "").Append(t);
                }
            }
        }

        return text.ToString().Trim();
    }
}
