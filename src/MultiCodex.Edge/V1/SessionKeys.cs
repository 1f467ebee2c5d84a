namespace MultiCodex.Edge.V1;

/// <summary>The conversation a request belongs to, as its headers say, so it stays on one account (the prompt cache).</summary>
public static class SessionKeys
{
    // The Codex CLI's session-id (mid 2026), older clients' session_id / conversation_id, and common proxy spellings.
    private static readonly string[] Headers = ["session-id", "session_id", "x-session-id", "conversation_id", "thread-id"];

    public static string? FromHeaders(IHeaderDictionary headers)
    {
        foreach (var name in Headers)
        {
            if (headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.ToString();
            }
        }
        return null;
    }
}
