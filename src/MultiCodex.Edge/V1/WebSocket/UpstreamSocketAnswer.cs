using System.Net;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// One response on an upstream WebSocket, presented as the HTTP answer step 3 (dispatch) and
/// <see cref="UpstreamStream"/> read (docs/websocket.md, "One pipeline for both transports"): an <c>error</c>
/// frame that answers the request before any event is its HTTP status, error body and <c>x-codex-*</c> headers, so
/// a quota, a refused token or an overload fails over as on HTTP; otherwise a 200 whose body is the frames as
/// server-sent events (one <c>data:</c> event per frame, its JSON unchanged) up to the frame that ends the response.
/// The usage snapshot of <c>codex.rate_limits</c> becomes the answer's rate-limit headers.
/// </summary>
internal static class UpstreamSocketAnswer
{
    /// <summary>The answer to the request just sent on <paramref name="socket"/>; null when the socket closed before any frame.</summary>
    /// <exception cref="IOException">The socket broke.</exception>
    public static async Task<HttpResponseMessage?> ReadAsync(UpstreamSocket socket, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        var held = new List<PooledBuffer>();
        try
        {
            while (await socket.ReadAsync(cancellationToken) is { } frame)
            {
                var (kind, _) = UpstreamFrame.Read(frame.Memory);
                if (kind == UpstreamEventKind.RateLimits)
                {
                    UpstreamFrame.RateLimitsToHeaders(frame.Memory, response.Headers);
                    held.Add(frame);
                    continue;
                }
                if (kind == UpstreamEventKind.Error)
                {
                    using (frame)
                    {
                        // A refused request ends the response; the upstream forgets what a failed continuation named.
                        (socket.Busy, socket.LastResponseId) = (false, null);
                        response.StatusCode = (HttpStatusCode)UpstreamFrame.StatusOf(frame.Memory);
                        response.Content = new ByteArrayContent(UpstreamFrame.ErrorBody(frame.Memory));
                        UpstreamFrame.CopyHeaders(frame.Memory, response.Headers);
                    }
                    Dispose(held);
                    return response;
                }
                held.Add(frame);
                response.Content = new SocketEventContent(socket, held, response);
                return response;
            }
            Dispose(held);
            response.Dispose();
            return null;
        }
        catch
        {
            Dispose(held);
            response.Dispose();
            throw;
        }
    }

    private static void Dispose(List<PooledBuffer> frames)
    {
        foreach (var frame in frames)
        {
            frame.Dispose();
        }
        frames.Clear();
    }

    /// <summary>The body of a 200 answer: its stream reads the socket's frames as SSE events.</summary>
    private sealed class SocketEventContent(UpstreamSocket socket, List<PooledBuffer> held, HttpResponseMessage response) : HttpContent
    {
        private SocketEventStream? _stream;

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(_stream ??= new SocketEventStream(socket, held, response));

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await (await CreateContentReadStreamAsync()).CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                (_stream ??= new SocketEventStream(socket, held, response)).Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The frames of one response as SSE bytes, ending after the frame that ends the response (the socket stays
    /// open for the next one). Disposed before that frame — the client went away, the attempt was given up — it cuts
    /// the socket, which is how the upstream learns to stop the response.
    /// </summary>
    private sealed class SocketEventStream(UpstreamSocket socket, List<PooledBuffer> held, HttpResponseMessage response) : Stream
    {
        private readonly PooledBuffer _event = new(4096);
        private int _offset;
        private int _nextHeld;
        private bool _ended;
        private string? _responseId;
        private int _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset == _event.Length)
            {
                if (_ended)
                {
                    return 0;
                }
                var live = _nextHeld == held.Count;
                var frame = live ? await socket.ReadAsync(cancellationToken) : held[_nextHeld++];
                if (frame is null)
                {
                    _ended = true; // the upstream closed the socket mid-response: the stream ends without its terminal event
                    return 0;
                }
                using (frame)
                {
                    Encode(frame, live);
                }
            }
            var count = Math.Min(buffer.Length, _event.Length - _offset);
            _event.Span.Slice(_offset, count).CopyTo(buffer.Span);
            _offset += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                if (!_ended)
                {
                    socket.Abort();
                }
                for (var i = _nextHeld; i < held.Count; i++)
                {
                    held[i].Dispose();
                }
                _event.Dispose();
            }
            base.Dispose(disposing);
        }

        // One frame as one SSE event: `data: <line>` per line of its JSON (upstream JSON is one line), then a blank line.
        private void Encode(PooledBuffer frame, bool live)
        {
            var (kind, id) = UpstreamFrame.Read(frame.Memory);
            if (kind == UpstreamEventKind.Created)
            {
                _responseId ??= id;
            }
            else if (kind == UpstreamEventKind.RateLimits && live)
            {
                // A snapshot that came mid-response (held ones are in the headers already).
                UpstreamFrame.RateLimitsToHeaders(frame.Memory, response.Headers);
            }
            else if (kind.IsTerminal())
            {
                _ended = true;
                socket.Busy = false;
                socket.LastResponseId = kind is UpstreamEventKind.Completed or UpstreamEventKind.Done or UpstreamEventKind.Incomplete ? id ?? _responseId : null;
            }
            _event.Clear();
            _offset = 0;
            var json = frame.Span;
            while (true)
            {
                var line = json.IndexOf((byte)'\n');
                _event.Write("data: "u8);
                _event.Write(line < 0 ? json : json[..line]);
                _event.Write((byte)'\n');
                if (line < 0)
                {
                    break;
                }
                json = json[(line + 1)..];
            }
            _event.Write((byte)'\n');
        }
    }
}
