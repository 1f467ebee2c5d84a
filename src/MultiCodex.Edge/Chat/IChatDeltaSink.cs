namespace MultiCodex.Edge.Chat;

/// <summary>
/// Receives the Chat Completions view of an upstream Responses stream from <see cref="ResponsesEventReader"/>:
/// the streaming translator turns each call into a chunk, the non-streaming builder accumulates them.
/// </summary>
internal interface IChatDeltaSink
{
    /// <summary>The assistant turn has begun; called once, before anything else.</summary>
    void OnRole();

    void OnContent(string text);

    void OnRefusal(string text);

    void OnReasoning(string text);

    /// <summary>A tool call has begun; <paramref name="arguments"/> is empty when deltas follow.</summary>
    void OnToolCall(int index, string callId, string name, string arguments);

    void OnToolCallArguments(int index, string arguments);

    /// <summary>The response ended normally; called once, last.</summary>
    void OnFinish(string finishReason, ChatUsage usage);
}
