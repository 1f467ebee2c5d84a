using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Receives the Chat Completions view of an upstream Responses stream from <see cref="ChatEventReader"/>: the
/// streaming translator turns each call into a chunk, the non-streaming builder accumulates them. Texts are UTF-8,
/// valid only during the call.
/// </summary>
internal interface IChatDeltaSink
{
    /// <summary>The assistant turn has begun; called once, before anything else.</summary>
    void OnRole();

    void OnContent(ReadOnlySpan<byte> text);

    void OnRefusal(ReadOnlySpan<byte> text);

    void OnReasoning(ReadOnlySpan<byte> text);

    /// <summary>A tool call has begun; <paramref name="arguments"/> is empty when deltas follow.</summary>
    void OnToolCall(int index, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> arguments);

    void OnToolCallArguments(int index, ReadOnlySpan<byte> arguments);

    /// <summary>The response ended normally; called once, last.</summary>
    void OnFinish(string finishReason, UsageFacts usage);
}
