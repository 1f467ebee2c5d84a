using System.Net.WebSockets;
using System.Threading.Channels;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// One WebSocket to the upstream's <c>/codex/responses</c>, opened for one account with one access token and bound
/// to one client socket (docs/websocket.md, "Sockets"). A pump reads every frame as it comes into a small queue, so
/// pings are answered and a close is seen also between responses; a response's reader takes the frames from the
/// queue. Frames are sent one at a time (a <c>response.create</c>, an interrupt).
/// </summary>
internal sealed class UpstreamSocket : IAsyncDisposable
{
    /// <summary>The largest frame accepted from the upstream (an event as large as the largest SSE event the Edge reads).</summary>
    private const int MaxFrameBytes = SseEventReader.MaxEventSize;

    private readonly System.Net.WebSockets.WebSocket _socket;
    private readonly Channel<PooledBuffer> _frames = Channel.CreateBounded<PooledBuffer>(new BoundedChannelOptions(64)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _aborted;

    public UpstreamSocket(System.Net.WebSockets.WebSocket socket, string accountId, string accountEmail, string accessToken, long openedAt)
    {
        _socket = socket;
        AccountId = accountId;
        AccountEmail = accountEmail;
        AccessToken = accessToken;
        OpenedAt = openedAt;
        _pump = PumpAsync();
    }

    public string AccountId { get; }

    public string AccountEmail { get; }

    /// <summary>The token the upgrade was authorized with: a refreshed token needs a new socket.</summary>
    public string AccessToken { get; }

    /// <summary>When it opened (a <see cref="TimeProvider"/> timestamp).</summary>
    public long OpenedAt { get; }

    /// <summary>The latest response this socket produced that may be continued on it (the upstream keeps only that one).</summary>
    public string? LastResponseId { get; set; }

    /// <summary>True while a response runs on it (set by the route, cleared by the response's end).</summary>
    public bool Busy { get; set; }

    /// <summary>False once it closed or broke; a closed socket is never used again.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open && !_frames.Reader.Completion.IsCompleted;

    /// <summary>Sends one text frame.</summary>
    /// <exception cref="WebSocketException">The socket broke.</exception>
    public async Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The next frame (the caller disposes it); null once the upstream closed the socket.</summary>
    /// <exception cref="IOException">The socket broke.</exception>
    public async ValueTask<PooledBuffer?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _frames.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            return e.InnerException is { } broken ? throw new IOException("The upstream WebSocket broke.", broken) : null;
        }
    }

    /// <summary>Drops frames left from an earlier response (sent after its end), so the next response reads only its own.</summary>
    public int DiscardStale()
    {
        var discarded = 0;
        while (_frames.Reader.TryRead(out var stale))
        {
            stale.Dispose();
            discarded++;
        }
        return discarded;
    }

    /// <summary>Cuts the socket at once: the upstream cancels whatever ran on it.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _stop.Cancel(); // first: the pump then ends quietly, not with an error
            _socket.Abort();
        }
    }

    /// <summary>Closes politely when idle (a close frame, bounded), else cuts it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Busy && _socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }
        Abort();
        await _pump;
        DiscardStale();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        await Task.Yield();
        try
        {
            while (await ReceiveAsync() is { } frame)
            {
                await _frames.Writer.WriteAsync(frame, _stop.Token);
            }
            _frames.Writer.TryComplete();
        }
        catch (Exception e)
        {
            // A broken socket, a cut, a frame too large: the reader sees an IOException (or the end, once cut by us).
            _frames.Writer.TryComplete(_stop.IsCancellationRequested ? null : e);
        }
    }

    // One whole text message; null when the upstream closed. Binary frames are not part of the protocol: skipped.
    private async Task<PooledBuffer?> ReceiveAsync()
    {
        while (true)
        {
            var message = new PooledBuffer(4096);
            try
            {
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(message.GetMemory(4096), _stop.Token);
                    message.Advance(result.Count);
                    if (message.Length > MaxFrameBytes)
                    {
                        throw new InvalidDataException($"The upstream sent a WebSocket message larger than {MaxFrameBytes} bytes.");
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    message.Dispose();
                    return null;
                }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    return message;
                }
                message.Dispose();
            }
            catch
            {
                message.Dispose();
                throw;
            }
        }
    }
}
