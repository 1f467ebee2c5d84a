using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Maps Chat Completions <c>messages</c> to Responses <c>input</c> items (docs/upstream-responses.md §2.3 item shapes, §7.1).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>system</c> and <c>developer</c> become <c>developer</c> messages: the upstream rejects <c>system</c> items,
/// and keeping them in place (rather than hoisting them into <c>instructions</c>) preserves their order.</item>
/// <item><c>assistant</c> becomes an <c>output_text</c> message (refusals kept as text) followed by one
/// <c>function_call</c> item per tool call; an assistant turn with only tool calls yields no empty message.</item>
/// <item><c>tool</c> becomes <c>function_call_output</c>. Tool calls and tool results must pair up, as OpenAI
/// requires; the upstream would otherwise fail with "No tool output found for function call".</item>
/// </list>
/// </remarks>
internal static class ChatMessageMapper
{
    private const string SupportedRoles = "'system', 'developer', 'user', 'assistant', and 'tool'";

    public static JsonArray Map(JsonNode? messages)
    {
        if (messages is null)
        {
            throw ChatJson.Missing("messages");
        }

        if (messages is not JsonArray list)
        {
            throw ChatJson.InvalidType("messages", "an array", messages);
        }

        if (list.Count == 0)
        {
            throw new ChatRequestException(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages");
        }

        var input = new JsonArray();
        var calls = new ToolCallLedger();
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"messages[{i}]";
            var message = ChatJson.AsObject(list[i], path);
            var role = ChatJson.RequireString(message, "role", path);
            switch (role)
            {
                case "system" or "developer":
                    input.Add(Message("developer", ChatContentMapper.MapText(message["content"], $"{path}.content")));
                    break;
                case "user":
                    input.Add(Message("user", ChatContentMapper.MapUser(message["content"], $"{path}.content")));
                    break;
                case "assistant":
                    AddAssistant(input, message, path, i, calls);
                    break;
                case "tool":
                    var callId = ChatJson.RequireString(message, "tool_call_id", path);
                    calls.Answer(callId, i);
                    input.Add(new JsonObject
                    {
                        ["type"] = "function_call_output",
                        ["call_id"] = callId,
                        ["output"] = ChatContentMapper.MapToolOutput(message["content"], $"{path}.content"),
                    });
                    break;
                case "function":
                    throw new ChatRequestException(
                        "Messages with role 'function' (the deprecated functions API) are not supported; use 'tool' messages with a 'tool_call_id'.",
                        $"{path}.role");
                default:
                    throw ChatJson.InvalidValue($"{path}.role", role, SupportedRoles);
            }
        }

        calls.EnsureAllAnswered();
        return input;
    }

    private static void AddAssistant(JsonArray input, JsonObject message, string path, int index, ToolCallLedger calls)
    {
        var content = ChatContentMapper.MapAssistant(message["content"], $"{path}.content");
        if (ChatJson.OptionalString(message, "refusal", path) is { Length: > 0 } refusal)
        {
            content.Add(ChatContentMapper.OutputText(refusal));
        }

        if (content.Count > 0)
        {
            input.Add(Message("assistant", content));
        }

        switch (message["tool_calls"])
        {
            case null:
                return;
            case JsonArray toolCalls:
                for (var j = 0; j < toolCalls.Count; j++)
                {
                    input.Add(MapToolCall(toolCalls[j], $"{path}.tool_calls[{j}]", index, calls));
                }

                return;
            case var other:
                throw ChatJson.InvalidType($"{path}.tool_calls", "an array", other);
        }
    }

    private static JsonObject MapToolCall(JsonNode? node, string path, int messageIndex, ToolCallLedger calls)
    {
        var call = ChatJson.AsObject(node, path);
        var id = ChatJson.RequireString(call, "id", path);
        if (ChatJson.OptionalString(call, "type", path) is { } type && type != "function")
        {
            throw ChatJson.InvalidValue($"{path}.type", type, "'function'");
        }

        var function = ChatJson.RequireObject(call, "function", path);
        var functionPath = $"{path}.function";
        var name = ChatJson.RequireString(function, "name", functionPath);

        // Some clients send the arguments as a JSON object rather than its serialised string; accept both.
        var arguments = function["arguments"] switch
        {
            null => "{}",
            JsonObject json => json.ToJsonString(),
            var other => ChatJson.AsString(other, $"{functionPath}.arguments"),
        };
        calls.Declare(id, messageIndex);
        return new JsonObject
        {
            ["type"] = "function_call",
            ["call_id"] = id,
            ["name"] = name,
            ["arguments"] = arguments,
        };
    }

    private static JsonObject Message(string role, JsonArray content) => new()
    {
        ["type"] = "message",
        ["role"] = role,
        ["content"] = content,
    };

    /// <summary>Pairs assistant tool calls with tool results, the way OpenAI validates a conversation.</summary>
    private sealed class ToolCallLedger
    {
        // call id → index of the assistant message that made it; removed once answered.
        private Dictionary<string, int>? _open;

        public void Declare(string callId, int messageIndex) =>
            (_open ??= new Dictionary<string, int>(StringComparer.Ordinal))[callId] = messageIndex;

        public void Answer(string callId, int messageIndex)
        {
            if (_open?.Remove(callId) != true)
            {
                throw new ChatRequestException(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' " +
                    $"(no unanswered tool call has id '{callId}').",
                    $"messages[{messageIndex}].tool_call_id");
            }
        }

        public void EnsureAllAnswered()
        {
            if (_open is not { Count: > 0 })
            {
                return;
            }

            var first = _open.Values.Min();
            throw new ChatRequestException(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
                $"The following tool_call_ids did not have response messages: {string.Join(", ", _open.Keys)}",
                $"messages[{first}].role");
        }
    }
}
