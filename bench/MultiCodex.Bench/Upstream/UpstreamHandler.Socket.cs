using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MultiCodex.Bench.Upstream;

/// <summary>
/// The Responses WebSocket of the fake upstream (<c>GET /backend-api/codex/responses</c> upgraded): every
/// <c>response.create</c> frame is counted like an HTTP body and answered with the events of
/// <see cref="CodexStream.Full"/>, one text frame each (the SSE <c>data:</c> payloads, as the ChatGPT backend sends
/// them over a socket). It keeps no conversation: the benchmark measures what a proxy sends, not the answers.
/// </summary>
internal sealed partial class UpstreamHandler
{
    /// <summary>The <c>data:</c> payloads of the fixed stream, one frame each, prepared once.</summary>
    private static readonly byte[][] SocketFrames = Encoding.UTF8.GetString(CodexStream.Full)
        .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
        .Select(block => block.Split('\n').First(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])
        .Select(Encoding.UTF8.GetBytes)
        .ToArray();

    private async Task SocketAsync(HttpContext context)
    {
        if (Authenticate(context) is null)
        {
            await Json(context, 401, """{"detail":"Could not validate your credentials"}""");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                long length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }
                Interlocked.Add(ref _bodyBytes, length);
                Interlocked.Increment(ref _requests);
                foreach (var frame in SocketFrames)
                {
                    await socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The proxy went away (or cut the socket).
        }
    }
}
