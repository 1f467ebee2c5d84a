using System.Text.Json;
using MultiCodex.Bench.Upstream;

namespace MultiCodex.Bench.Workload;

/// <summary>What a correct answer looks like on each route; each check returns why an answer is wrong, or null.</summary>
internal static class ResponseChecks
{
    /// <summary>Direct and nginx: exactly the bytes the fake upstream sent.</summary>
    public static string? PassThrough(HttpExchange e) =>
        Basics(e, "text/event-stream")
        ?? (e.Body.AsSpan().SequenceEqual(CodexStream.Full) ? null : $"the stream differs from the upstream's ({e.Body.Length} bytes, expected {CodexStream.Full.Length})");

    /// <summary>Edge /v1/responses streaming: the deltas spell the answer and the stream ends with response.completed with usage.</summary>
    public static string? ResponsesStream(HttpExchange e)
    {
        if (Basics(e, "text/event-stream") is { } failure)
        {
            return failure;
        }
        var events = Sse.Parse(e.Text);
        var text = string.Concat(events.Where(x => Type(x) == "response.output_text.delta").Select(x => x.Data!.Value.GetProperty("delta").GetString()));
        return text != CodexStream.Text ? $"the deltas spell '{Shorten(text)}'"
            : events.Count == 0 || Type(events[^1]) != "response.completed" ? "the stream does not end with response.completed"
            : !events[^1].Data!.Value.GetProperty("response").TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object ? "response.completed has no usage"
            : null;
    }

    /// <summary>A long stream ends with response.completed.</summary>
    public static string? LongStream(HttpExchange e) =>
        Basics(e, "text/event-stream") ?? (Sse.Parse(e.Text) is { Count: > 0 } events && Type(events[^1]) == "response.completed" ? null : "the stream does not end with response.completed");

    /// <summary>Edge /v1/responses with stream:false: one completed response whose message holds the answer.</summary>
    public static string? ResponsesJson(HttpExchange e)
    {
        if (Basics(e, "application/json") is { } failure)
        {
            return failure;
        }
        using var document = JsonDocument.Parse(e.Body);
        var root = document.RootElement;
        var text = string.Concat(root.GetProperty("output").EnumerateArray()
            .Where(item => item.GetProperty("type").GetString() == "message")
            .SelectMany(item => item.GetProperty("content").EnumerateArray())
            .Where(part => part.GetProperty("type").GetString() == "output_text")
            .Select(part => part.GetProperty("text").GetString()));
        return root.GetProperty("status").GetString() != "completed" ? "status is not completed"
            : text != CodexStream.Text ? $"the output says '{Shorten(text)}'"
            : root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? null : "no usage";
    }

    /// <summary>Edge /v1/chat/completions streaming: chunks spell the answer, finish with stop, a usage chunk, then [DONE].</summary>
    public static string? ChatStream(HttpExchange e)
    {
        if (Basics(e, "text/event-stream") is { } failure)
        {
            return failure;
        }
        var events = Sse.Parse(e.Text);
        if (events.Count == 0 || events[^1].RawData != "[DONE]")
        {
            return "the stream does not end with data: [DONE]";
        }
        var chunks = events.Where(x => x.Data is not null).Select(x => x.Data!.Value).ToList();
        var choices = chunks.Where(c => c.TryGetProperty("choices", out var list) && list.GetArrayLength() > 0).Select(c => c.GetProperty("choices")[0]).ToList();
        var text = string.Concat(choices.Select(c => c.TryGetProperty("delta", out var d) && d.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString() : ""));
        return text != CodexStream.Text ? $"the chunks spell '{Shorten(text)}'"
            : !choices.Any(c => c.TryGetProperty("finish_reason", out var reason) && reason.GetString() == "stop") ? "no chunk finishes with stop"
            : !chunks.Any(c => c.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object) ? "no usage chunk (stream_options.include_usage)"
            : null;
    }

    private static string? Basics(HttpExchange e, string contentType) =>
        e.Failure is { } failure ? failure
        : e.Status != 200 ? $"status {e.Status}: {Shorten(e.Text)}"
        : e.ContentType?.StartsWith(contentType, StringComparison.OrdinalIgnoreCase) != true ? $"content type '{e.ContentType}', expected {contentType}"
        : null;

    private static string? Type(Sse.Event e) => e.Data is { } data && data.TryGetProperty("type", out var type) ? type.GetString() : e.Name;

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

/// <summary>A small server-sent-events reader for checking answers (not on any measured path).</summary>
internal static class Sse
{
    public sealed record Event(string? Name, string RawData, JsonElement? Data);

    public static List<Event> Parse(string text)
    {
        var events = new List<Event>();
        foreach (var block in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Add(line[5..].TrimStart());
                }
            }
            if (data.Count == 0)
            {
                continue;
            }
            var raw = string.Join("\n", data);
            JsonElement? json = null;
            if (raw.StartsWith('{'))
            {
                json = JsonDocument.Parse(raw).RootElement.Clone();
            }
            events.Add(new Event(name, raw, json));
        }
        return events;
    }
}
