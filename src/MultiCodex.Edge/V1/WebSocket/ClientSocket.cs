using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// One client's WebSocket on <c>/v1/responses</c> (docs/websocket.md). Two loops:
/// <list type="number">
/// <item>the receive loop reads frames as they come: a <c>response.create</c> is queued, a <c>response.interrupt</c>
/// acts at once, anything else is answered with an <c>error</c> frame (status 400);</item>
/// <item>the worker takes the queued frames one at a time through the /v1 pipeline (<see cref="V1Pipeline"/>, with
/// <see cref="SocketDialect"/> and a <see cref="SocketTransport"/> per frame), and makes sure each ends with exactly
/// one terminal frame.</item>
/// </list>
/// The client going away (Codex drops the TCP connection without a close frame) cancels the response in flight,
/// which cuts its upstream socket and ends its lease; the upstream socket and the transcript go with the client socket.
/// </summary>
internal sealed partial class ClientSocket
{
    /// <summary>
    /// How often <c>{"type":"codex.keepalive"}</c> goes out while the Edge holds the first event back (failing over,
    /// waiting for a slow upstream): the Codex CLI counts only text frames against its idle timeout (300 s by
    /// default; pings do not count), and ignores an event type it does not know.
    /// </summary>
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Frames a client may queue behind the running one (Codex sends the next only after the previous ended).</summary>
    private const int MaxQueued = 4;

    private static readonly byte[] KeepaliveFrame = """{"type":"codex.keepalive"}"""u8.ToArray();

    private readonly System.Net.WebSockets.WebSocket _socket;
    private readonly SocketServices _services;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly Channel<PooledBuffer> _queue = Channel.CreateBounded<PooledBuffer>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, SingleWriter = true });
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _openedAt;
    private SocketTransport? _current;
    private int _turns;
    private volatile bool _closeWhenIdle;

    public ClientSocket(System.Net.WebSockets.WebSocket socket, HttpContext http, string? clientName, string clientKeyId, SocketServices services)
    {
        _socket = socket;
        _services = services;
        _logger = services.Logger;
        _openedAt = services.Time.GetUtcNow();
        Headers = http.Request.Headers;
        ClientName = clientName;
        ClientKeyId = clientKeyId;
        Transcript = new Transcript(services.Budget, services.Options.MaxRequestBodyBytes);
        Route = services.NewRoute(Transcript, UpstreamHttpHeaders.From(Headers));
    }

    public string Id { get; } = "ws_" + Guid.CreateVersion7().ToString("N");

    /// <summary>The upgrade request's headers: what every frame's upstream request carries (session ids, turn metadata, identity).</summary>
    public IHeaderDictionary Headers { get; }

    public string? ClientName { get; }

    public Transcript Transcript { get; }

    public UpstreamSocketRoute Route { get; }

    /// <summary>True when the upgrade asked for <c>x-multicodex-explain</c>: each answer then starts with a <c>multicodex.explain</c> event.</summary>
    public bool WantsExplanation => Headers.ContainsKey(HttpSseTransport.ExplainHeader);

    /// <summary>True once the client went away (or the socket is closing).</summary>
    public bool Closing => _closed.IsCancellationRequested;

    public bool HasUpstreamSocket => Route.HasSocket;

    public LiveWebSocketSession Describe() =>
        new(Id, ClientName, Route.AccountId, Route.AccountEmail, Route.UpstreamTransport, _openedAt, Volatile.Read(ref _turns));

    /// <summary>Serves the socket until the client goes away.</summary>
    public async Task RunAsync()
    {
        _services.Live.Add(this);
        _services.Metrics.SessionAccepted();
        var worker = WorkAsync();
        try
        {
            await ReceiveLoopAsync();
        }
        finally
        {
            await _closed.CancelAsync(); // a response in flight stops: its upstream socket is cut and its lease ends
            _queue.Writer.TryComplete();
            await worker;
            await AnswerCloseAsync();
            await Route.DisposeAsync();
            Transcript.Dispose();
            _services.Live.Remove(this);
        }
    }

    /// <summary>Sends one text frame; a client that went away ends the socket (and the caller's request, as a 499).</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame)
    {
        await _send.WaitAsync(_closed.Token);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _closed.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            await _closed.CancelAsync();
            throw new OperationCanceledException("The client went away.", e, _closed.Token);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Keeps the client patient while the Edge holds the first event back; disposed once it stops holding.</summary>
    public IDisposable Keepalive() => _services.Time.CreateTimer(static state => ((ClientSocket)state!).SendKeepalive(), this, KeepaliveInterval, KeepaliveInterval);

    /// <summary>Closes the socket once its current response has ended (the Edge is stopping).</summary>
    public void CloseWhenIdle()
    {
        _closeWhenIdle = true;
        lock (_gate)
        {
            if (_current is not null || _queue.Reader.Count > 0)
            {
                return;
            }
        }
        _ = CloseAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (await ReceiveAsync() is { } received)
            {
                if (received.TooLarge)
                {
                    await AnswerAsync(new ClientError(StatusCodes.Status413PayloadTooLarge,
                        $"The frame is larger than this proxy accepts ({_services.Options.MaxRequestBodyBytes} bytes, MAX_REQUEST_BODY_BYTES).",
                        "invalid_request_error", "request_too_large"));
                    continue;
                }
                var message = received.Message!;
                switch (TypeOf(message.Span, received.Binary))
                {
                    case "response.create":
                        if (!_queue.Writer.TryWrite(message))
                        {
                            message.Dispose();
                            await CloseAsync(WebSocketCloseStatus.PolicyViolation, "Send one response.create at a time.");
                            return;
                        }
                        break;
                    case "response.interrupt":
                        using (message)
                        {
                            await InterruptAsync(message);
                        }
                        break;
                    case null:
                        message.Dispose();
                        await AnswerAsync(ClientError.InvalidRequest(received.Binary
                            ? "Binary messages are not supported; send JSON text frames."
                            : "The message is not a JSON object with a 'type'.", null, StrictJson.InvalidJsonCode));
                        break;
                    case var type:
                        message.Dispose();
                        await AnswerAsync(ClientError.InvalidRequest(
                            $"Invalid value: '{type}'. Supported values are: 'response.create' and 'response.interrupt'.", "type", "invalid_value"));
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away: Codex drops the connection without a close frame.
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var message in _queue.Reader.ReadAllAsync())
        {
            if (Closing)
            {
                message.Dispose();
                continue;
            }
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
            var transport = new SocketTransport(this, message, cancel);
            lock (_gate)
            {
                _current = transport;
            }
            try
            {
                await _services.Pipeline.RunAsync(_services.Dialect, transport);
                await EndAsync(transport);
            }
            catch (Exception e)
            {
                // The pipeline recorded it (a 500); the client still gets the frame that ends its request.
                Log.Failed(_logger, Id, e);
                await EndAsync(transport);
            }
            finally
            {
                lock (_gate)
                {
                    _current = null;
                }
                transport.Release();
            }
            Interlocked.Increment(ref _turns);
            _services.Metrics.ResponseAnswered(Route.UpstreamTransport);
            _services.Live.Changed();
            if (_closeWhenIdle && _queue.Reader.Count == 0)
            {
                await CloseAsync();
            }
        }
    }

    // Exactly one frame ends every request: the pipeline's answer, or — when it could send none (it failed, or the
    // Edge stopped an interrupted response before any event) — this one.
    private async Task EndAsync(SocketTransport transport)
    {
        if (transport.Ended || Closing)
        {
            return;
        }
        try
        {
            if (transport.Interrupted)
            {
                transport.EndInterrupted(transport.ResponseId ?? "resp_interrupted");
                await transport.FlushAsync();
            }
            else
            {
                await transport.AnswerErrorAsync(ClientError.Server(500, "MultiCodex could not answer this request.", "internal_error"));
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away meanwhile.
        }
    }

    // Interrupts the running response: forwarded to its upstream socket (which ends it with response.incomplete), or
    // — with none to tell — stopped here. With nothing running, ignored, as the upstream does.
    private async Task InterruptAsync(PooledBuffer message)
    {
        SocketTransport? current;
        lock (_gate)
        {
            current = _current;
        }
        var named = ResponseIdOf(message.Span);
        if (current is null || current.Ended || (named is not null && current.ResponseId is { } running && running != named))
        {
            return;
        }
        if (await Route.InterruptAsync(message.Memory, _closed.Token))
        {
            return;
        }
        current.ResponseId ??= named;
        current.Interrupt();
    }

    private async Task AnswerAsync(ClientError error)
    {
        using var frame = new PooledBuffer(256);
        using (var json = new Utf8JsonWriter(frame, OpenAiErrors.WriterOptions))
        {
            OpenAiErrors.WriteFrame(json, error);
        }
        await SendAsync(frame.Memory);
    }

    private void SendKeepalive() => _ = SendKeepaliveAsync();

    private async Task SendKeepaliveAsync()
    {
        try
        {
            await SendAsync(KeepaliveFrame);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.EndpointUnavailable, string reason = "The proxy is stopping.")
    {
        try
        {
            await _send.WaitAsync(_closed.Token);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(status, reason, timeout.Token);
            }
            finally
            {
                _send.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        _closed.CancelAfter(TimeSpan.FromSeconds(2)); // the client's close frame, if it sends one, ends the receive loop sooner
    }

    // A client that closed with a close frame gets one back (RFC 6455 §5.5.1), once nothing else sends: without it the
    // connection is dropped and the client sees a close that never completed.
    private async Task AnswerCloseAsync()
    {
        if (_socket.State != WebSocketState.CloseReceived)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2503, LogLevel.Error, "A request on WebSocket {Socket} failed")]
        public static partial void Failed(ILogger logger, string socket, Exception exception);
    }
}
