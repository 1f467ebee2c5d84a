using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Aggregates one upstream Responses stream into a single OpenAI <c>chat.completion</c> for a client that did not
/// ask to stream (the upstream always streams). Feed every event in order, then call <see cref="Write"/>.
/// </summary>
/// <remarks>
/// It reads the events exactly as <see cref="ChatStreamTranslator"/> does (both through <see cref="ChatEventReader"/>),
/// so both agree on every edge case; in particular <c>response.output_item.done</c> items count even when
/// <c>response.completed.response.output</c> is empty, as it may be upstream.
/// </remarks>
internal sealed class ChatCompletionBuilder : IChatDeltaSink, IDisposable
{
    private readonly string _model;
    private readonly long _created;
    private readonly string _completionId;
    private readonly ChatEventReader _reader;
    private readonly List<(byte[] Id, byte[] Name, PooledBuffer Arguments)> _toolCalls = [];
    private PooledBuffer? _content;
    private PooledBuffer? _refusal;
    private PooledBuffer? _reasoning;
    private string? _finishReason;
    private UsageFacts _usage;

    /// <param name="model">The model name echoed in the completion (the one the client asked for).</param>
    /// <param name="created">Unix seconds for <c>created</c>.</param>
    /// <param name="completionId">The completion id, e.g. <c>chatcmpl-…</c>.</param>
    public ChatCompletionBuilder(string model, long created, string completionId)
    {
        _model = model;
        _created = created;
        _completionId = completionId;
        _reader = new ChatEventReader(this);
    }

    /// <summary>A terminal event has been read; <see cref="Write"/> may be called if <see cref="Error"/> is null.</summary>
    public bool Finished => _reader.Finished;

    /// <summary>After <c>response.failed</c> or <c>error</c>: the upstream's error in OpenAI's terms; null otherwise.</summary>
    public ClientError? Error => _reader.Error;

    /// <summary>Reads one upstream event.</summary>
    public void Read(in UpstreamEvent e) => _reader.Read(e);

    /// <summary>Writes the <c>chat.completion</c>, with <c>usage</c> always included.</summary>
    /// <exception cref="InvalidOperationException">The response has not completed, or it failed.</exception>
    public void Write(Utf8JsonWriter json)
    {
        if (_finishReason is null)
        {
            throw new InvalidOperationException(Error is null
                ? "The upstream response has not completed yet."
                : "The upstream response failed; answer with Error instead.");
        }
        json.WriteStartObject();
        json.WriteString("id"u8, _completionId);
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, _created);
        json.WriteString("model"u8, _model);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        if (_content is not null)
        {
            json.WriteString("content"u8, _content.Span);
        }
        else if (_toolCalls.Count > 0 || _refusal is not null)
        {
            json.WriteNull("content"u8); // OpenAI sends null content for a reply that is only tool calls or a refusal
        }
        else
        {
            json.WriteString("content"u8, ""u8);
        }
        if (_refusal is not null)
        {
            json.WriteString("refusal"u8, _refusal.Span);
        }
        else
        {
            json.WriteNull("refusal"u8);
        }
        if (_toolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var (id, name, arguments) in _toolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, id);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, name);
                json.WriteString("arguments"u8, arguments.Span);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (_reasoning is not null)
        {
            json.WriteString("reasoning_content"u8, _reasoning.Span);
        }
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, _finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WritePropertyName("usage"u8);
        ChatUsage.Write(json, _usage);
        json.WriteEndObject();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _content?.Dispose();
        _refusal?.Dispose();
        _reasoning?.Dispose();
        foreach (var call in _toolCalls)
        {
            call.Arguments.Dispose();
        }
    }

    void IChatDeltaSink.OnRole()
    {
    }

    void IChatDeltaSink.OnContent(ReadOnlySpan<byte> text) => (_content ??= new PooledBuffer(1024)).Write(text);

    void IChatDeltaSink.OnRefusal(ReadOnlySpan<byte> text) => (_refusal ??= new PooledBuffer(256)).Write(text);

    void IChatDeltaSink.OnReasoning(ReadOnlySpan<byte> text) => (_reasoning ??= new PooledBuffer(1024)).Write(text);

    void IChatDeltaSink.OnToolCall(int index, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> arguments)
    {
        var buffer = new PooledBuffer(Math.Max(256, arguments.Length));
        buffer.Write(arguments);
        _toolCalls.Add((callId.ToArray(), name.ToArray(), buffer));
    }

    void IChatDeltaSink.OnToolCallArguments(int index, ReadOnlySpan<byte> arguments) => _toolCalls[index].Arguments.Write(arguments);

    void IChatDeltaSink.OnFinish(string finishReason, UsageFacts usage)
    {
        _finishReason = finishReason;
        _usage = usage;
    }
}
