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
    // What every chunk repeats is encoded once: only the delta is written per chunk.
    private static readonly JsonWriterOptions DeltaOptions = OpenAiErrors.WriterOptions with { SkipValidation = true };

    private readonly byte[] _envelope; // {"id":…,"object":"chat.completion.chunk","created":…,"model":…   (open)
    private readonly byte[] _choicePrefix; // envelope + ,"choices":[{"index":0,"delta":
    private readonly byte[] _usageNull; // ,"usage":null when include_usage, else nothing
    private readonly bool _includeUsage;
    private readonly ChatEventReader _reader;
    private Utf8JsonWriter? _json;
    private IEventSink? _sink;
    private IBufferWriter<byte>? _output; // the event being written

    /// <param name="model">The model name echoed in every chunk (the one the client asked for).</param>
    /// <param name="includeUsage">The client's <c>stream_options.include_usage</c>.</param>
    /// <param name="created">Unix seconds for every chunk's <c>created</c>.</param>
    /// <param name="completionId">The id shared by every chunk, e.g. <c>chatcmpl-…</c>.</param>
    public ChatStreamTranslator(string model, bool includeUsage, long created, string completionId)
    {
        var envelope = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(envelope, OpenAiErrors.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, completionId);
            json.WriteString("object"u8, "chat.completion.chunk"u8);
            json.WriteNumber("created"u8, created);
            json.WriteString("model"u8, model);
            json.WriteEndObject();
        }
        _envelope = envelope.WrittenSpan[..^1].ToArray();
        _choicePrefix = [.. _envelope, .. ",\"choices\":[{\"index\":0,\"delta\":"u8];
        _usageNull = includeUsage ? ",\"usage\":null"u8.ToArray() : [];
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
        var json = BeginDelta();
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
        BeginDelta();
        EndChunk(finishReason);
        if (_includeUsage)
        {
            var output = _sink!.BeginEvent(default);
            output.Write(_envelope);
            output.Write(",\"choices\":[],\"usage\":"u8);
            var json = Writer(output);
            ChatUsage.Write(json, usage);
            json.Flush();
            output.Write("}"u8);
            _sink.EndEvent();
        }
    }

    private void TextChunk(ReadOnlySpan<byte> field, ReadOnlySpan<byte> text)
    {
        BeginDelta().WriteString(field, text);
        EndChunk(null);
    }

    private Utf8JsonWriter BeginToolCall(int index)
    {
        var json = BeginDelta();
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

    // envelope,"choices":[{"index":0,"delta":{ … },"finish_reason":…}](,"usage":null)}
    private Utf8JsonWriter BeginDelta()
    {
        var output = _sink!.BeginEvent(default);
        output.Write(_choicePrefix);
        var json = Writer(output);
        json.WriteStartObject();
        return json;
    }

    private void EndChunk(string? finishReason)
    {
        var json = _json!;
        json.WriteEndObject(); // delta
        json.Flush();
        var writer = _output!;
        writer.Write(finishReason switch
        {
            null => ",\"finish_reason\":null}]"u8,
            "stop" => ",\"finish_reason\":\"stop\"}]"u8,
            "tool_calls" => ",\"finish_reason\":\"tool_calls\"}]"u8,
            "length" => ",\"finish_reason\":\"length\"}]"u8,
            "content_filter" => ",\"finish_reason\":\"content_filter\"}]"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(finishReason), finishReason, "Not a Chat Completions finish reason."),
        });
        writer.Write(_usageNull);
        writer.Write("}"u8);
        _sink!.EndEvent();
    }

    private Utf8JsonWriter Writer(IBufferWriter<byte> output)
    {
        _output = output;
        if (_json is null)
        {
            _json = new Utf8JsonWriter(output, DeltaOptions);
        }
        else
        {
            _json.Reset(output);
        }
        return _json;
    }
}
