using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Chat;

/// <summary>
/// Aggregates one upstream Responses SSE stream into a single OpenAI <c>chat.completion</c> for a client that did not
/// ask to stream (the upstream always streams, §2.3). Feed every event in order, then call <see cref="Build"/>.
/// </summary>
/// <remarks>
/// It reads the events exactly as <see cref="ChatStreamTranslator"/> does, so both agree on every edge case; in
/// particular <c>response.output_item.done</c> items count even when <c>response.completed.response.output</c> is
/// empty, as it may be upstream.
/// </remarks>
public sealed class ChatCompletionBuilder : IChatDeltaSink
{
    private readonly string _model;
    private readonly long _created;
    private readonly string _completionId;
    private readonly ResponsesEventReader _reader;
    private readonly List<(string Id, string Name, StringBuilder Arguments)> _toolCalls = [];
    private StringBuilder? _content;
    private StringBuilder? _refusal;
    private StringBuilder? _reasoning;
    private string? _finishReason;
    private ChatUsage _usage;

    /// <summary>Starts an aggregation.</summary>
    /// <param name="model">The model name echoed in the completion (the one the client asked for).</param>
    /// <param name="created">Unix seconds for <c>created</c>.</param>
    /// <param name="completionId">The completion id, e.g. <c>chatcmpl-…</c>.</param>
    public ChatCompletionBuilder(string model, long created, string completionId)
    {
        _model = model;
        _created = created;
        _completionId = completionId;
        _reader = new ResponsesEventReader(this);
    }

    /// <summary>A terminal event has been read; <see cref="Build"/> may be called if <see cref="Error"/> is null.</summary>
    public bool Finished => _reader.Finished;

    /// <summary>After <c>response.failed</c> or <c>error</c>: OpenAI's error payload to return instead; null otherwise.</summary>
    public JsonObject? Error => _reader.Error;

    /// <summary>Reads one upstream event.</summary>
    /// <param name="eventType">The SSE <c>event:</c> name; when empty, <c>data.type</c> is used.</param>
    /// <param name="data">The event's parsed <c>data:</c> JSON; it is not retained after the call.</param>
    public void OnEvent(string eventType, JsonElement data) => _reader.Read(eventType, data);

    /// <summary>Builds the <c>chat.completion</c>, with <c>usage</c> always included.</summary>
    /// <exception cref="InvalidOperationException">The response has not completed, or it failed.</exception>
    public JsonObject Build()
    {
        if (_finishReason is null)
        {
            throw new InvalidOperationException(Error is null
                ? "The upstream response has not completed yet."
                : "The upstream response failed; return Error instead.");
        }

        var message = new JsonObject
        {
            ["role"] = "assistant",
            // OpenAI sends null content for a reply that is only tool calls or a refusal.
            ["content"] = _content?.ToString() ?? (_toolCalls.Count > 0 || _refusal is not null ? null : ""),
            ["refusal"] = _refusal?.ToString(),
        };
        if (_toolCalls.Count > 0)
        {
            var calls = new JsonArray();
            foreach (var (id, name, arguments) in _toolCalls)
            {
                calls.Add(new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments.ToString() },
                });
            }

            message["tool_calls"] = calls;
        }

        if (_reasoning is not null)
        {
            message["reasoning_content"] = _reasoning.ToString();
        }

        return new JsonObject
        {
            ["id"] = _completionId,
            ["object"] = "chat.completion",
            ["created"] = _created,
            ["model"] = _model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = _finishReason,
            }),
            ["usage"] = _usage.ToJson(),
        };
    }

    void IChatDeltaSink.OnRole()
    {
    }

    void IChatDeltaSink.OnContent(string text) => (_content ??= new StringBuilder()).Append(text);

    void IChatDeltaSink.OnRefusal(string text) => (_refusal ??= new StringBuilder()).Append(text);

    void IChatDeltaSink.OnReasoning(string text) => (_reasoning ??= new StringBuilder()).Append(text);

    void IChatDeltaSink.OnToolCall(int index, string callId, string name, string arguments) =>
        _toolCalls.Add((callId, name, new StringBuilder(arguments)));

    void IChatDeltaSink.OnToolCallArguments(int index, string arguments) => _toolCalls[index].Arguments.Append(arguments);

    void IChatDeltaSink.OnFinish(string finishReason, ChatUsage usage)
    {
        _finishReason = finishReason;
        _usage = usage;
    }
}
