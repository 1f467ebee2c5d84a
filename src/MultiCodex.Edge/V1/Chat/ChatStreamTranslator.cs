using System.Buffers;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Turns one upstream Responses stream into OpenAI <c>chat.completion.chunk</c> events (docs/upstream-responses.md
/// §7.2), each written straight into the client's event sink: no chunk object, no string per delta. Create one per
/// response and feed it every upstream event in order; not thread-safe.
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
/// <item>After <c>response.failed</c> or <c>error</c> no chunk is produced: <see cref="Error"/> holds the error the
/// Edge writes as <c>data: {"error":…}</c> before <c>data: [DONE]</c>.</item>
/// </list>
/// </remarks>
internal sealed class ChatStreamTranslator : IChatDeltaSink, IDisposable
{
    private static readonly JsonEncodedText ChunkObject = JsonEncodedText.Encode("chat.completion.chunk");

    private readonly JsonEncodedText _id;
    private readonly JsonEncodedText _model;
    private readonly long _created;
    private readonly bool _includeUsage;
    private readonly ChatEventReader _reader;
    private Utf8JsonWriter? _json;
    private IEventSink? _sink;

    /// <param name="model">The model name echoed in every chunk (the one the client asked for).</param>
    /// <param name="includeUsage">The client's <c>stream_options.include_usage</c>.</param>
    /// <param name="created">Unix seconds for every chunk's <c>created</c>.</param>
    /// <param name="completionId">The id shared by every chunk, e.g. <c>chatcmpl-…</c>.</param>
    public ChatStreamTranslator(string model, bool includeUsage, long created, string completionId)
    {
        _model = JsonEncodedText.Encode(model, OpenAiErrors.WriterOptions.Encoder);
        _id = JsonEncodedText.Encode(completionId);
        _created = created;
        _includeUsage = includeUsage;
        _reader = new ChatEventReader(this);
    }

    /// <summary>A terminal event (completed, incomplete, failed or error) has been read; later events are ignored.</summary>
    public bool Finished => _reader.Finished;

    /// <summary>After <c>response.failed</c> or <c>error</c>: the upstream's error in OpenAI's terms; null otherwise.</summary>
    public ClientError? Error => _reader.Error;

    /// <summary>Translates one upstream event; the chunks it yields (usually none or one) go to <paramref name="sink"/>.</summary>
    public void Translate(in UpstreamEvent e, IEventSink sink)
    {
        _sink = sink;
        try
        {
            _reader.Read(e);
        }
        finally
        {
            _sink = null;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _json?.Dispose();
    }

    void IChatDeltaSink.OnRole()
    {
        var json = BeginChunk();
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("content"u8, ""u8);
        EndChunk(null);
    }

    void IChatDeltaSink.OnContent(ReadOnlySpan<byte> text) => TextChunk("content"u8, text);

    void IChatDeltaSink.OnRefusal(ReadOnlySpan<byte> text) => TextChunk("refusal"u8, text);

    void IChatDeltaSink.OnReasoning(ReadOnlySpan<byte> text) => TextChunk("reasoning_content"u8, text);

    void IChatDeltaSink.OnToolCall(int index, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> arguments)
    {
        var json = BeginToolCall(index);
        json.WriteString("id"u8, callId);
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        json.WriteString("name"u8, name);
        json.WriteString("arguments"u8, arguments);
        EndToolCall();
    }

    void IChatDeltaSink.OnToolCallArguments(int index, ReadOnlySpan<byte> arguments)
    {
        var json = BeginToolCall(index);
        json.WriteStartObject("function"u8);
        json.WriteString("arguments"u8, arguments);
        EndToolCall();
    }

    void IChatDeltaSink.OnFinish(string finishReason, UsageFacts usage)
    {
        BeginChunk();
        EndChunk(finishReason);
        if (_includeUsage)
        {
            var json = Envelope();
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            json.WritePropertyName("usage"u8);
            ChatUsage.Write(json, usage);
            json.WriteEndObject();
            EndEvent();
        }
    }

    private void TextChunk(ReadOnlySpan<byte> field, ReadOnlySpan<byte> text)
    {
        BeginChunk().WriteString(field, text);
        EndChunk(null);
    }

    private Utf8JsonWriter BeginToolCall(int index)
    {
        var json = BeginChunk();
        json.WriteStartArray("tool_calls"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, index);
        return json;
    }

    private void EndToolCall()
    {
        _json!.WriteEndObject(); // function
        _json.WriteEndObject(); // the call
        _json.WriteEndArray();
        EndChunk(null);
    }

    // {"id","object","created","model","choices":[{"index":0,"delta":{ … }, "finish_reason"}](,"usage":null)}
    private Utf8JsonWriter BeginChunk()
    {
        var json = Envelope();
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("delta"u8);
        return json;
    }

    private void EndChunk(string? finishReason)
    {
        var json = _json!;
        json.WriteEndObject(); // delta
        json.WriteString("finish_reason"u8, finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        if (_includeUsage)
        {
            json.WriteNull("usage"u8);
        }
        json.WriteEndObject();
        EndEvent();
    }

    private Utf8JsonWriter Envelope()
    {
        IBufferWriter<byte> output = _sink!.BeginEvent(default);
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions);
        }
        else
        {
            _json.Reset(output);
        }
        _json.WriteStartObject();
        _json.WriteString("id"u8, _id);
        _json.WriteString("object"u8, ChunkObject);
        _json.WriteNumber("created"u8, _created);
        _json.WriteString("model"u8, _model);
        return _json;
    }

    private void EndEvent()
    {
        _json!.Flush();
        _sink!.EndEvent();
    }
}
