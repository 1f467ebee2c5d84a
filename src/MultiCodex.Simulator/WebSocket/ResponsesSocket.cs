using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Backend;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.WebSocket;

/// <summary>One accepted Responses WebSocket (docs/upstream-protocol.md §5): reads client frames, answers one
/// <c>response.create</c> at a time with the same events as SSE (one text frame each), keeps the latest response as its
/// connection-local cache for <c>previous_response_id</c>, honours <c>response.interrupt</c>, and refuses requests once
/// it is older than <see cref="FakeChatGptOptions.WebSocketMaxConnectionAge"/>.</summary>
internal sealed partial class ResponsesSocket(System.Net.WebSockets.WebSocket socket, HttpContext context, SimulatorState state, SimAccount account, bool liteHeader)
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly WebSocketSink _sink = new(socket);
    private readonly DateTimeOffset _openedAt = state.Now;
    private readonly int _id = state.Sockets.NextId();
    private readonly Lock _gate = new();
    private Task _current = Task.CompletedTask;
    private CancellationTokenSource? _running;
    private string? _runningId;
    private bool _interrupted;

    /// <summary>The latest response of this connection (the only one a continuation may name).</summary>
    private CachedResponse? _last;

    public async Task RunAsync()
    {
        var ct = context.RequestAborted;
        try
        {
            while (await ReceiveAsync(ct) is { } message)
            {
                await DispatchAsync(message, ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away (codex drops the TCP connection without a close frame).
        }

        lock (_gate)
        {
            _running?.Cancel();
        }

        await _current.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Closes from the server side, as an idle close between turns would.</summary>
    public Task CloseAsync() => _sink.CloseAsync();

    private async Task<(WebSocketMessageType Type, byte[] Bytes)?> ReceiveAsync(CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await _sink.CloseAsync();
                return null;
            }

            if (buffer.Length + result.Count > MaxMessageBytes)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "Message too large.", ct);
                return null;
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, buffer.ToArray());
            }
        }
    }

    private async Task DispatchAsync((WebSocketMessageType Type, byte[] Bytes) message, CancellationToken ct)
    {
        var frame = message.Type == WebSocketMessageType.Text ? ParseObject(message.Bytes) : null;
        var type = frame?["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null;
        var recorded = new RecordedFrame(_id, account, state.Now, type ?? "", frame is null ? null : JsonSerializer.SerializeToElement(frame));
        state.Sockets.Frames.Add(recorded);
        switch (type)
        {
            case null:
                await FailAsync(recorded, SocketFrames.Error(400, "invalid_json", message.Type == WebSocketMessageType.Text
                    ? "The message is not a JSON object with a 'type'." : "Binary messages are not supported; send JSON text frames."), ct);
                break;
            case "response.create" when !_current.IsCompleted:
                await FailAsync(recorded, SocketFrames.Error(400, "response_in_progress",
                    "Another response is in progress on this connection. Wait for it to finish or send response.interrupt."), ct);
                break;
            case "response.create":
                _current = RespondAsync(frame!, recorded, ct);
                break;
            case "response.interrupt":
                Interrupt(frame!, recorded);
                break;
            default:
                await FailAsync(recorded, SocketFrames.Error(400, "invalid_value",
                    $"Invalid value: '{type}'. Supported values are: 'response.create' and 'response.interrupt'.", "type"), ct);
                break;
        }
    }

    private void Interrupt(JsonObject frame, RecordedFrame recorded)
    {
        var id = frame["response_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        lock (_gate)
        {
            if (_running is { } running && (id is null || id == _runningId))
            {
                _interrupted = true;
                running.Cancel();
                state.Sockets.Frames.Finish(recorded, "interrupting");
                return;
            }
        }

        // Nothing runs (the response may have just ended): there is nothing to interrupt.
        state.Sockets.Frames.Finish(recorded, "ignored");
    }

    private async Task FailAsync(RecordedFrame recorded, JsonObject errorFrame, CancellationToken ct)
    {
        state.Sockets.Frames.Finish(recorded, "error " + (errorFrame["status"] ?? errorFrame["status_code"]));
        await _sink.SendAsync(errorFrame, ct);
    }

    private static JsonObject? ParseObject(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(bytes)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A finished response kept for one continuation: its full input and its output items.</summary>
    private sealed record CachedResponse(string Id, JsonArray Input, JsonArray Output);
}
