using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Sse;

/// <summary>Builds the event sequence of one streamed response in the real order (docs/upstream-protocol.md §4):
/// created, in_progress, [reasoning item], output item (message with text deltas, function call, or the one compaction
/// item of a compaction turn), completed. The same events go out as SSE or as WebSocket text frames.</summary>
internal sealed partial class ResponseStreamBuilder(string model, DateTimeOffset createdAt, bool withReasoning, bool includeOutputInCompleted)
{
    private readonly List<SseEvent> _events = [];
    private readonly JsonArray _output = [];

    public string ResponseId { get; } = "resp_" + Ids.Hex(24);

    /// <summary>The finished output items (what a WebSocket connection keeps for a continuation).</summary>
    public JsonArray Output => _output;

    public static IReadOnlyList<string> SplitIntoDeltas(string text) =>
        WordWithLeadingSpace().Matches(text).Select(m => m.Value).ToList() is { Count: > 0 } parts ? parts : [text];

    /// <summary>The full success stream for a text reply.</summary>
    public IReadOnlyList<SseEvent> Text(string text, UsageFigures usage)
    {
        Start();
        var index = _output.Count;
        var itemId = "msg_" + Ids.Hex(24);
        Add("response.output_item.added", index, item: MessageItem(itemId, "in_progress", null));
        Add("response.content_part.added", index, itemId, part: OutputText(""));
        foreach (var delta in SplitIntoDeltas(text))
        {
            Add("response.output_text.delta", index, itemId, extra: ("delta", delta));
        }

        Add("response.output_text.done", index, itemId, extra: ("text", text));
        Add("response.content_part.done", index, itemId, part: OutputText(text));
        Finish(index, MessageItem(itemId, "completed", text), usage);
        return _events;
    }

    /// <summary>The full success stream for a tool call.</summary>
    public IReadOnlyList<SseEvent> FunctionCall(string name, string arguments, string callId, UsageFigures usage)
    {
        Start();
        var index = _output.Count;
        var itemId = "fc_" + Ids.Hex(24);
        Add("response.output_item.added", index, item: FunctionItem(itemId, callId, name, "", "in_progress"));
        Add("response.function_call_arguments.delta", index, itemId, extra: ("delta", arguments));
        Add("response.function_call_arguments.done", index, itemId, extra: ("arguments", arguments));
        Finish(index, FunctionItem(itemId, callId, name, arguments, "completed"), usage);
        return _events;
    }

    /// <summary>Compaction V2: exactly one <c>compaction</c> item in <c>output_item.done</c>, and an empty
    /// <c>response.completed.response.output</c> (clients must take the item from the done event).</summary>
    public IReadOnlyList<SseEvent> Compaction(string encryptedContent, UsageFigures usage)
    {
        Start(reasoning: false);
        var index = _output.Count;
        var item = new JsonObject { ["type"] = "compaction", ["id"] = "cmp_" + Ids.Hex(24), ["encrypted_content"] = encryptedContent };
        Add("response.output_item.added", index, item: item.DeepClone().AsObject());
        Finish(index, item, usage, forceEmptyOutput: true);
        return _events;
    }

    /// <summary>A WebSocket warmup (<c>generate:false</c>): an id to chain on, no output, zero usage.</summary>
    public IReadOnlyList<SseEvent> Warmup()
    {
        _events.Add(new SseEvent("response.created", new JsonObject { ["response"] = Shell("in_progress") }));
        var response = Shell("completed");
        response["usage"] = new UsageFigures(0, 0, 0, 0).ToJson();
        _events.Add(new SseEvent("response.completed", new JsonObject { ["response"] = response }));
        return _events;
    }

    /// <summary>The terminal event of an interrupted response (<c>response.interrupt</c>): partial items are discarded.</summary>
    public SseEvent Interrupted()
    {
        var response = Shell("incomplete");
        response["incomplete_details"] = new JsonObject { ["reason"] = "interrupted" };
        response["end_turn"] = false;
        _output.Clear();
        return new SseEvent("response.incomplete", new JsonObject { ["response"] = response });
    }

    /// <summary>A stream made of one <c>response.failed</c> event (the "error smuggled into a 200" form).</summary>
    public IReadOnlyList<SseEvent> Failed(JsonObject error)
    {
        var response = Shell("failed");
        response["error"] = error;
        _events.Add(new SseEvent("response.failed", new JsonObject { ["response"] = response }));
        return _events;
    }

    private void Start(bool reasoning = true)
    {
        _events.Add(new SseEvent("response.created", new JsonObject { ["response"] = Shell("in_progress") }));
        _events.Add(new SseEvent("response.in_progress", new JsonObject { ["response"] = Shell("in_progress") }));
        if (!withReasoning || !reasoning)
        {
            return;
        }

        var reasoningId = "rs_" + Ids.Hex(24);
        JsonObject Reasoning(string? encrypted) => new()
        {
            ["id"] = reasoningId,
            ["type"] = "reasoning",
            ["encrypted_content"] = encrypted,
            ["summary"] = new JsonArray(),
        };
        Add("response.output_item.added", _output.Count, item: Reasoning(null));
        var done = Reasoning("gAAAAA" + Ids.Base64Url(96));
        Add("response.output_item.done", _output.Count, item: done);
        _output.Add(done.DeepClone());
    }

    private void Finish(int index, JsonObject item, UsageFigures usage, bool forceEmptyOutput = false)
    {
        Add("response.output_item.done", index, item: item);
        _output.Add(item.DeepClone());
        var response = Shell("completed");
        response["output"] = includeOutputInCompleted && !forceEmptyOutput ? _output.DeepClone() : new JsonArray();
        response["usage"] = usage.ToJson();
        _events.Add(new SseEvent("response.completed", new JsonObject { ["response"] = response }));
    }

    private void Add(string type, int outputIndex, string? itemId = null, JsonObject? item = null, JsonObject? part = null, (string Name, string Value)? extra = null)
    {
        var data = new JsonObject();
        if (itemId is not null)
        {
            data["item_id"] = itemId;
        }

        data["output_index"] = outputIndex;
        if (item is not null)
        {
            data["item"] = item;
        }

        if (type.Contains("text") || type.Contains("content_part"))
        {
            data["content_index"] = 0;
        }

        if (part is not null)
        {
            data["part"] = part;
        }

        if (extra is { } field)
        {
            data[field.Name] = field.Value;
        }

        _events.Add(new SseEvent(type, data));
    }

    private JsonObject Shell(string status) => new()
    {
        ["id"] = ResponseId,
        ["object"] = "response",
        ["created_at"] = createdAt.ToUnixTimeSeconds(),
        ["status"] = status,
        ["background"] = false,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["instructions"] = null,
        ["model"] = model,
        ["output"] = new JsonArray(),
        ["parallel_tool_calls"] = true,
        ["previous_response_id"] = null,
        ["store"] = false,
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["usage"] = null,
    };

    private static JsonObject MessageItem(string id, string status, string? text) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["status"] = status,
        ["content"] = text is null ? new JsonArray() : new JsonArray(OutputText(text)),
        ["role"] = "assistant",
    };

    private static JsonObject FunctionItem(string id, string callId, string name, string arguments, string status) => new()
    {
        ["id"] = id,
        ["type"] = "function_call",
        ["status"] = status,
        ["arguments"] = arguments,
        ["call_id"] = callId,
        ["name"] = name,
    };

    private static JsonObject OutputText(string text) => new()
    {
        ["type"] = "output_text",
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
        ["text"] = text,
    };

    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex WordWithLeadingSpace();
}

/// <summary>Token counts reported in <c>response.completed.response.usage</c>.</summary>
internal sealed record UsageFigures(int InputTokens, int CachedTokens, int OutputTokens, int ReasoningTokens)
{
    public JsonObject ToJson() => new()
    {
        ["input_tokens"] = InputTokens,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens },
        ["output_tokens"] = OutputTokens,
        ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = ReasoningTokens },
        ["total_tokens"] = InputTokens + OutputTokens,
    };
}
