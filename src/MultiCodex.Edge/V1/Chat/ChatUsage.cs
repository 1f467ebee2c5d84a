using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>Token usage in Chat Completions names (docs/upstream-responses.md §3.3, §7.2): input tokens already include the cached ones.</summary>
internal static class ChatUsage
{
    public static void Write(Utf8JsonWriter writer, UsageFacts usage)
    {
        writer.WriteStartObject();
        writer.WriteNumber("prompt_tokens"u8, usage.InputTokens);
        writer.WriteNumber("completion_tokens"u8, usage.OutputTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CachedInputTokens);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>OpenAI's error for a failed upstream response: its message, type (a context overflow is the request's fault), code and param.</summary>
    public static ClientError Failure(UpstreamError? error) => new(
        502,
        error?.Message ?? "The upstream response failed.",
        error?.Type ?? (error?.Code == "context_length_exceeded" ? "invalid_request_error" : "server_error"),
        error?.Code,
        error?.Param);
}
