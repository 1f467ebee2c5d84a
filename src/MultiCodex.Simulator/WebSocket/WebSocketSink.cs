using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.WebSocket;

/// <summary>Sends JSON text frames on one socket, one at a time (a response stream and the receive loop's error frames
/// may want to send at once).</summary>
internal sealed class WebSocketSink(System.Net.WebSockets.WebSocket socket) : IEventSink
{
    private readonly SemaphoreSlim _send = new(1, 1);

    public Task SendAsync(string type, JsonObject payload, CancellationToken cancellationToken) => SendAsync(payload, cancellationToken);

    public async Task SendAsync(JsonObject frame, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(frame.ToJsonString(JsonResults.Wire));
        await _send.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Starts a normal close from the server side; false when the socket is already closing or gone.</summary>
    public async Task<bool> CloseAsync()
    {
        await _send.WaitAsync();
        try
        {
            if (socket.State != WebSocketState.Open)
            {
                return false;
            }

            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            return true;
        }
        catch (WebSocketException)
        {
            return false;
        }
        finally
        {
            _send.Release();
        }
    }
}
