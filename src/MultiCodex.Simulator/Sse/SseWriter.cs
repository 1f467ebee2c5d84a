using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Sse;

/// <summary>Writes Responses-API server-sent events: <c>event: X\ndata: {json}\n\n</c>, LF framing, each payload
/// starting with <c>type</c> and a running <c>sequence_number</c>, flushed one by one.</summary>
internal sealed class SseWriter(HttpResponse response, TimeSpan eventDelay)
{
    private int _sequence;

    public static void PrepareHeaders(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public async Task WriteAsync(SseEvent sseEvent, CancellationToken cancellationToken)
    {
        if (eventDelay > TimeSpan.Zero)
        {
            await Task.Delay(eventDelay, cancellationToken);
        }

        var payload = new JsonObject { ["type"] = sseEvent.Type, ["sequence_number"] = _sequence++ };
        foreach (var (name, value) in sseEvent.Data)
        {
            payload[name] = value?.DeepClone();
        }

        var frame = $"event: {sseEvent.Type}\ndata: {payload.ToJsonString(JsonResults.Wire)}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>One event before framing; <see cref="Data"/> holds the fields after <c>type</c>/<c>sequence_number</c>.</summary>
internal sealed record SseEvent(string Type, JsonObject Data)
{
    public bool IsTextDelta => Type == "response.output_text.delta";
}
