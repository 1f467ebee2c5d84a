using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Responses;

/// <summary>A client's Responses request made fit for the ChatGPT Codex backend.</summary>
public sealed record UpstreamRequest(string Model, bool ClientStreams, string? SessionKey, byte[] Body);

/// <summary>
/// Turns a client's Responses request into what the upstream accepts (codex-protocol.md §2.3): stream on, store
/// off, input as a list, system role moved to developer, unsupported parameters removed. Everything else — item
/// ids, custom/namespace/web_search tools, client_metadata, prompt_cache_key — passes through untouched.
/// </summary>
public static class UpstreamRequestBuilder
{
    /// <summary>Parameters the upstream refuses ("Unsupported parameter") and peers strip.</summary>
    private static readonly string[] Unsupported =
    [
        "max_output_tokens", "max_tokens", "max_completion_tokens", "temperature", "top_p", "safety_identifier", "metadata",
        "prompt_cache_retention", "truncation", "user", "previous_response_id", "stream_options", "context_management", "background",
        "top_logprobs",
    ];

    /// <summary>Builds the upstream body, or returns the error message and the offending parameter.</summary>
    public static (UpstreamRequest? Request, string? Error, string? Param) Build(JsonObject body, string? sessionHeader)
    {
        if (body["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model) || model.Length == 0)
        {
            return (null, "'model' is required: the model to use, for example gpt-5.5.", "model");
        }
        var clientStreams = body["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streams) && streams;
        switch (body["input"])
        {
            case JsonValue text when text.TryGetValue<string>(out var prompt):
                body["input"] = new JsonArray(UserMessage(prompt));
                break;
            case JsonArray items:
                MoveSystemToDeveloper(items);
                break;
            case null:
                return (null, "'input' is required: a string or a list of input items.", "input");
            default:
                return (null, "'input' must be a string or a list of input items.", "input");
        }
        foreach (var name in Unsupported)
        {
            body.Remove(name);
        }
        body["stream"] = true;
        body["store"] = false;

        var sessionKey = body["prompt_cache_key"] is JsonValue key && key.TryGetValue<string>(out var cacheKey) && cacheKey.Length > 0
            ? cacheKey
            : sessionHeader;
        return (new UpstreamRequest(model, clientStreams, sessionKey, System.Text.Encoding.UTF8.GetBytes(body.ToJsonString())), null, null);
    }

    /// <summary>The session key a client's headers carry (the Codex CLI's session-id, older clients' session_id).</summary>
    public static string? SessionKeyFromHeaders(IHeaderDictionary headers)
    {
        foreach (var name in (string[])["session-id", "session_id", "x-session-id", "conversation_id", "thread-id"])
        {
            if (headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.ToString();
            }
        }
        return null;
    }

    public static JsonObject UserMessage(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "user",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };

    // The upstream answers "System messages are not allowed"; developer is the role it takes instead.
    private static void MoveSystemToDeveloper(JsonArray items)
    {
        foreach (var item in items)
        {
            if (item is JsonObject message && message["role"] is JsonValue role && role.TryGetValue<string>(out var name) && name == "system")
            {
                message["role"] = "developer";
            }
        }
    }
}
