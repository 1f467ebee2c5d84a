using System.Text.Json;

namespace MultiCodex.Edge.Upstream;

/// <summary>What a terminal or failure event says: usage on success, the error on failure.</summary>
public sealed record EventFacts(
    string? ErrorCode, string? ErrorMessage, DateTimeOffset? ResetsAt, TimeSpan? ResetsIn,
    long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens);

/// <summary>Reads the few upstream events the Edge must understand (codex-protocol.md §3.2, §6.2); all others pass by unread.</summary>
public static class UpstreamEvents
{
    /// <summary>Events that precede any output: holding them costs the client nothing.</summary>
    public static bool IsPreamble(in SseEvent e) =>
        e.Is("response.created"u8) || e.Is("response.in_progress"u8) || e.Is("codex.rate_limits"u8) || e.Is("codex.response.metadata"u8);

    public static bool IsFailure(in SseEvent e) => e.Is("response.failed"u8) || e.Is("error"u8);

    public static bool IsTerminal(in SseEvent e) =>
        e.Is("response.completed"u8) || e.Is("response.incomplete"u8) || e.Is("response.done"u8) || IsFailure(e);

    /// <summary>Reads usage (completed, incomplete) or the error (failed, error) of a terminal event.</summary>
    public static EventFacts Facts(in SseEvent e)
    {
        try
        {
            using var document = JsonDocument.Parse(e.Data);
            var root = document.RootElement;
            var response = root.TryGetProperty("response", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            var error = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("error", out var re) && re.ValueKind == JsonValueKind.Object ? re
                : root.TryGetProperty("error", out var te) && te.ValueKind == JsonValueKind.Object ? te
                : IsFailure(e) ? root : default;
            var usage = response.ValueKind == JsonValueKind.Object && response.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            return new EventFacts(
                error.ValueKind == JsonValueKind.Object ? String(error, "code") ?? String(error, "type") : null,
                error.ValueKind == JsonValueKind.Object ? String(error, "message") : null,
                error.ValueKind == JsonValueKind.Object && Number(error, "resets_at") is { } at and > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)at) : null,
                error.ValueKind == JsonValueKind.Object && Number(error, "resets_in_seconds") is { } inSeconds and > 0 ? TimeSpan.FromSeconds(inSeconds) : null,
                Tokens(usage, "input_tokens"), Tokens(usage, "input_tokens_details", "cached_tokens"),
                Tokens(usage, "output_tokens"), Tokens(usage, "output_tokens_details", "reasoning_tokens"));
        }
        catch (JsonException)
        {
            return new EventFacts(IsFailure(e) ? "invalid_event" : null, null, null, null, 0, 0, 0, 0);
        }
    }

    /// <summary>Reads an HTTP error body: <c>{"error":{type|code, message, resets_at, resets_in_seconds}}</c> or <c>{"detail"}</c>.</summary>
    public static EventFacts ErrorBody(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new EventFacts(null, null, null, null, 0, 0, 0, 0);
            }
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
            return new EventFacts(
                String(error, "code") ?? String(error, "type"),
                String(error, "message") ?? String(root, "detail"),
                Number(error, "resets_at") is { } at and > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)at) : null,
                Number(error, "resets_in_seconds") is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : null,
                0, 0, 0, 0);
        }
        catch (JsonException)
        {
            return new EventFacts(null, null, null, null, 0, 0, 0, 0);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static long Tokens(JsonElement usage, params string[] path)
    {
        var current = usage;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return 0;
            }
        }
        return current.ValueKind == JsonValueKind.Number && current.TryGetInt64(out var value) ? value : 0;
    }
}
