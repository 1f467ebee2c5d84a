using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Chat;

/// <summary>
/// Turns one upstream Responses SSE stream into OpenAI <c>chat.completion.chunk</c> objects (codex-protocol.md §7.2).
/// Create one per response and feed it every upstream event in order; not thread-safe.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The first chunk carries <c>delta.role:"assistant"</c>; text deltas become <c>delta.content</c>, refusal
/// deltas <c>delta.refusal</c>, and reasoning-summary deltas <c>delta.reasoning_content</c> (the field
/// CLIProxyAPI and DeepSeek-style clients read; OpenAI clients ignore it).</item>
/// <item>Tool calls open with <c>{index, id: call_id, type, function:{name, arguments:""}}</c> and continue with
/// argument deltas; a call that arrives only as <c>output_item.done</c> is sent whole.</item>
/// <item>The last choice chunk has <c>finish_reason</c> <c>tool_calls</c>, <c>stop</c>, <c>length</c>
/// (<c>max_output_tokens</c>) or <c>content_filter</c>; with include_usage a chunk with <c>choices:[]</c> and
/// <c>usage</c> follows, and every earlier chunk has <c>usage:null</c>, as OpenAI does.</item>
/// <item>After <c>response.failed</c> or <c>error</c> no chunk is produced: <see cref="Error"/> holds the payload the
/// Edge writes as <c>data: {...}</c> before <c>data: [DONE]</c>.</item>
/// </list>
/// </remarks>
public sealed class ChatStreamTranslator : IChatDeltaSink
{
    private readonly string _model;
    private readonly bool _includeUsage;
    private readonly long _created;
    private readonly string _completionId;
    private readonly ResponsesEventReader _reader;

    // Chunks produced by the event being read; most events produce exactly one, so a list is made only for more.
    private JsonObject? _first;
    private List<JsonObject>? _more;

    /// <summary>Starts a translation.</summary>
    /// <param name="model">The model name echoed in every chunk (the one the client asked for).</param>
    /// <param name="includeUsage">The client's <c>stream_options.include_usage</c>.</param>
    /// <param name="created">Unix seconds for every chunk's <c>created</c>.</param>
    /// <param name="completionId">The id shared by every chunk, e.g. <c>chatcmpl-…</c>.</param>
    public ChatStreamTranslator(string model, bool includeUsage, long created, string completionId)
    {
        _model = model;
        _includeUsage = includeUsage;
        _created = created;
        _completionId = completionId;
        _reader = new ResponsesEventReader(this);
    }

    /// <summary>A terminal event (completed, incomplete, failed or error) has been read; later events are ignored.</summary>
    public bool Finished => _reader.Finished;

    /// <summary>
    /// After <c>response.failed</c> or <c>error</c>: <c>{"error":{"message","type","code","param"}}</c> built from the
    /// upstream error; null otherwise.
    /// </summary>
    public JsonObject? Error => _reader.Error;

    /// <summary>Translates one upstream event.</summary>
    /// <param name="eventType">The SSE <c>event:</c> name, e.g. <c>response.output_text.delta</c>; when empty,
    /// <c>data.type</c> is used.</param>
    /// <param name="data">The event's parsed <c>data:</c> JSON; it is not retained after the call.</param>
    /// <returns>The chunks to send, in order; usually none or one.</returns>
    public IReadOnlyList<JsonObject> OnEvent(string eventType, JsonElement data)
    {
        _reader.Read(eventType, data);
        if (_first is null)
        {
            return [];
        }

        IReadOnlyList<JsonObject> chunks = _more ?? (IReadOnlyList<JsonObject>)[_first];
        _first = null;
        _more = null;
        return chunks;
    }

    void IChatDeltaSink.OnRole() => Add(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));

    void IChatDeltaSink.OnContent(string text) => Add(Chunk(new JsonObject { ["content"] = text }, null));

    void IChatDeltaSink.OnRefusal(string text) => Add(Chunk(new JsonObject { ["refusal"] = text }, null));

    void IChatDeltaSink.OnReasoning(string text) => Add(Chunk(new JsonObject { ["reasoning_content"] = text }, null));

    void IChatDeltaSink.OnToolCall(int index, string callId, string name, string arguments) =>
        Add(ToolCallChunk(new JsonObject
        {
            ["index"] = index,
            ["id"] = callId,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
        }));

    void IChatDeltaSink.OnToolCallArguments(int index, string arguments) =>
        Add(ToolCallChunk(new JsonObject
        {
            ["index"] = index,
            ["function"] = new JsonObject { ["arguments"] = arguments },
        }));

    void IChatDeltaSink.OnFinish(string finishReason, ChatUsage usage)
    {
        Add(Chunk([], finishReason));
        if (_includeUsage)
        {
            var chunk = Envelope();
            chunk["choices"] = new JsonArray();
            chunk["usage"] = usage.ToJson();
            Add(chunk);
        }
    }

    private JsonObject ToolCallChunk(JsonObject call) => Chunk(new JsonObject { ["tool_calls"] = new JsonArray(call) }, null);

    private JsonObject Chunk(JsonObject delta, string? finishReason)
    {
        var chunk = Envelope();
        chunk["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["finish_reason"] = finishReason,
        });
        if (_includeUsage)
        {
            chunk["usage"] = null;
        }

        return chunk;
    }

    private JsonObject Envelope() => new()
    {
        ["id"] = _completionId,
        ["object"] = "chat.completion.chunk",
        ["created"] = _created,
        ["model"] = _model,
    };

    private void Add(JsonObject chunk)
    {
        if (_first is null)
        {
            _first = chunk;
        }
        else
        {
            (_more ??= [_first]).Add(chunk);
        }
    }
}
