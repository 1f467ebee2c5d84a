using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Sse;

/// <summary>Where the events of one response go: SSE on HTTP, text frames on a WebSocket.</summary>
internal interface IEventSink
{
    /// <summary>Sends one event whose JSON payload starts with <c>type</c>.</summary>
    Task SendAsync(string type, JsonObject payload, CancellationToken cancellationToken);
}

/// <summary>Writes Responses-API server-sent events: <c>event: X\ndata: {json}\n\n</c>, LF framing, flushed one by one.</summary>
internal sealed class SseWriter(HttpResponse response) : IEventSink
{
    public static void PrepareHeaders(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public async Task SendAsync(string type, JsonObject payload, CancellationToken cancellationToken)
    {
        var frame = $"event: {type}\ndata: {payload.ToJsonString(JsonResults.Wire)}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>One event before framing; <see cref="Data"/> holds the fields after <c>type</c>/<c>sequence_number</c>.</summary>
internal sealed record SseEvent(string Type, JsonObject Data)
{
    public bool IsTextDelta => Type == "response.output_text.delta";

    /// <summary>Vendor events (<c>codex.rate_limits</c>, <c>response.metadata</c>) carry no <c>sequence_number</c>.</summary>
    public bool IsSequenced { get; init; } = true;

    /// <summary>The wire payload: <c>type</c>, then the running <c>sequence_number</c>, then the data.</summary>
    public JsonObject Payload(int sequenceNumber)
    {
        var payload = new JsonObject { ["type"] = Type };
        if (IsSequenced)
        {
            payload["sequence_number"] = sequenceNumber;
        }

        foreach (var (name, value) in Data)
        {
            payload[name] = value?.DeepClone();
        }

        return payload;
    }
}
