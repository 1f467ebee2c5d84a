using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>How the first events of an upstream stream went (step 3 holds them back).</summary>
public enum HoldResult
{
    /// <summary>An output event came (or the upstream kept sending preamble past the first-event timeout): answer the client.</summary>
    Committed,

    /// <summary>The first event after the preamble is a failure: another account or a retry may still serve the request.</summary>
    Failed,

    /// <summary>The stream ended (or broke) before any output.</summary>
    Ended,

    /// <summary>No event at all within the first-event timeout after the headers.</summary>
    TimedOut,
}

/// <summary>
/// The one reader of an upstream response's events. Step 3 (dispatch) holds the first ones back until the stream
/// proves healthy, so a quota error there still goes to another account without a byte sent; step 4 (answer)
/// reads the rest. Each event is classified by its name only; the event that ends the response is parsed once
/// into <see cref="Terminal"/>, which the outcome and the translations share. A stream silent for the idle timeout
/// counts as dropped (<see cref="IOException"/>), so no client waits forever.
/// </summary>
public sealed class UpstreamStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly SseEventReader _reader;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _clientGone;
    private readonly CancellationTokenSource _cancel = new(); // ends a read: the client went away, or the upstream went silent
    private readonly CancellationTokenRegistration _clientRegistration;
    private ITimer? _idleTimer;
    private TimeSpan _silenceLimit;
    private long _readStarted;
    private readonly PooledBuffer _heldBytes = new(4096);
    private readonly List<Held> _held = [];
    private int _nextHeld;
    private Task<SseEvent?>? _pending; // a read begun while holding, finished by the answer

    private UpstreamStream(HttpResponseMessage response, Stream body, TimeProvider time, TimeSpan idleTimeout, CancellationToken clientGone)
    {
        _response = response;
        _reader = new SseEventReader(body);
        _time = time;
        _idleTimeout = idleTimeout;
        _clientGone = clientGone;
        _silenceLimit = idleTimeout;
        _clientRegistration = clientGone.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _cancel);
    }

    /// <summary>The upstream's response headers (rate limits, turn state, request id).</summary>
    public HttpResponseHeaders Headers => _response.Headers;

    public int StatusCode => (int)_response.StatusCode;

    /// <summary>The facts of the event that ended the response, once it went by.</summary>
    public TerminalFacts? Terminal { get; private set; }

    /// <summary>True when the connection broke or went silent (rather than ending cleanly).</summary>
    public bool Dropped { get; private set; }

    /// <summary>True when the next event needs no network wait (writers flush before waiting).</summary>
    public bool HasBufferedEvent => _nextHeld < _held.Count || (_pending is { } pending ? pending.IsCompleted : _reader.HasBufferedEvent);

    public static async Task<UpstreamStream> OpenAsync(HttpResponseMessage response, TimeProvider time, TimeSpan idleTimeout, CancellationToken clientGone) =>
        new(response, await response.Content.ReadAsStreamAsync(clientGone), time, idleTimeout, clientGone);

    /// <summary>
    /// Reads and holds events until one that is not preamble, a failure or the end. The first event must come
    /// within <paramref name="firstEventTimeout"/> of the headers; a stream that shows life (preamble) but then
    /// stays silent past it is committed anyway: the client hears something, and the idle timeout takes over.
    /// </summary>
    public async Task<HoldResult> HoldAsync(TimeSpan firstEventTimeout)
    {
        using var stopWaiting = new CancellationTokenSource();
        Task? deadline = null; // one timer for the whole hold, made only if a read has to wait
        try
        {
            while (true)
            {
                SseEvent? next;
                var pending = _reader.ReadAsync(_cancel.Token);
                try
                {
                    if (pending.IsCompletedSuccessfully)
                    {
                        next = pending.Result;
                    }
                    else
                    {
                        var read = pending.AsTask();
                        deadline ??= Task.Delay(firstEventTimeout, _time, stopWaiting.Token);
                        if (await Task.WhenAny(read, deadline) != read)
                        {
                            return await PastDeadlineAsync(read);
                        }
                        next = await read;
                    }
                }
                catch (Exception e) when (IsDrop(e))
                {
                    Dropped = true;
                    return HoldResult.Ended;
                }
                if (next is not { } sse)
                {
                    return HoldResult.Ended;
                }
                var held = Classify(sse);
                Hold(held);
                if (held.Kind.IsFailure() || held.Terminal?.IsFailure == true)
                {
                    return HoldResult.Failed;
                }
                if (!held.Kind.IsPreamble())
                {
                    return HoldResult.Committed;
                }
            }
        }
        finally
        {
            await stopWaiting.CancelAsync();
        }
    }

    // The first-event timeout passed while a read waits: a stream that sent preamble is alive (the read goes on in
    // the answer); one that sent nothing is given up.
    private async Task<HoldResult> PastDeadlineAsync(Task<SseEvent?> read)
    {
        if (_held.Count > 0)
        {
            _pending = read;
            return HoldResult.Committed;
        }
        await _cancel.CancelAsync();
        await read.ContinueWith(static _ => { }, TaskScheduler.Default); // observed, never thrown
        _clientGone.ThrowIfCancellationRequested();
        return HoldResult.TimedOut;
    }

    /// <summary>The next event: held ones first, then live ones. Null at the end of the stream.</summary>
    /// <exception cref="IOException">The upstream dropped the connection or stayed silent past the idle timeout.</exception>
    /// <exception cref="OperationCanceledException">The client went away.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<UpstreamEvent?> ReadAsync()
    {
        if (_nextHeld < _held.Count)
        {
            return _held[_nextHeld++].ToEvent(_heldBytes.Memory);
        }
        SseEvent? next;
        WatchSilence(_idleTimeout);
        try
        {
            if (_pending is { } pending)
            {
                _pending = null;
                next = await pending;
            }
            else
            {
                next = await _reader.ReadAsync(_cancel.Token);
            }
        }
        catch (OperationCanceledException) when (!_clientGone.IsCancellationRequested)
        {
            Dropped = true;
            throw new IOException($"The upstream sent nothing for {_idleTimeout.TotalSeconds:F0} s.");
        }
        catch (Exception e) when (IsDrop(e))
        {
            Dropped = true;
            throw;
        }
        return next is { } sse ? Classify(sse) : null;
    }

    /// <summary>
    /// Reads what is left after the terminal event (normally just the end of the body), at most for
    /// <paramref name="limit"/>, so the connection goes back to the pool instead of being closed.
    /// </summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        if (Dropped || _nextHeld < _held.Count || _pending is not null || _clientGone.IsCancellationRequested)
        {
            return;
        }
        WatchSilence(limit);
        try
        {
            while (await _reader.ReadAsync(_cancel.Token) is not null)
            {
            }
        }
        catch (Exception e) when (IsDrop(e) || e is OperationCanceledException)
        {
            Dropped = true; // then the connection is closed, not reused
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _clientRegistration.DisposeAsync();
        if (_idleTimer is not null)
        {
            await _idleTimer.DisposeAsync();
        }
        if (_pending is { IsCompleted: false } pending)
        {
            await _cancel.CancelAsync();
            await pending.ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        _cancel.Dispose();
        _reader.Dispose();
        _response.Dispose();
        _heldBytes.Dispose();
    }

    // A read may wait at most `limit`. Re-arming a timer before every read would take the timer queue's lock once
    // per event; instead each read notes when it began, and one timer per stream checks now and then.
    private void WatchSilence(TimeSpan limit)
    {
        Volatile.Write(ref _readStarted, _time.GetTimestamp());
        if (_idleTimer is null)
        {
            _silenceLimit = limit;
            _idleTimer = _time.CreateTimer(static state => ((UpstreamStream)state!).CheckSilence(), this, limit, Timeout.InfiniteTimeSpan);
        }
        else if (limit != _silenceLimit)
        {
            _silenceLimit = limit;
            _idleTimer.Change(limit, Timeout.InfiniteTimeSpan);
        }
    }

    private void CheckSilence()
    {
        var silent = _time.GetElapsedTime(Volatile.Read(ref _readStarted));
        try
        {
            if (silent >= _silenceLimit)
            {
                _cancel.Cancel();
            }
            else
            {
                _idleTimer?.Change(_silenceLimit - silent, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // the stream ended meanwhile
        }
    }

    private UpstreamEvent Classify(SseEvent sse)
    {
        var kind = UpstreamEventKinds.Classify(sse);
        if (!kind.IsTerminal() || Terminal is not null)
        {
            return new UpstreamEvent(sse, kind, null);
        }
        Terminal = TerminalFacts.Parse(kind, sse.Data.Span);
        return new UpstreamEvent(sse, kind, Terminal);
    }

    // Held events are copied: the reader's buffer moves on with the next read.
    private void Hold(in UpstreamEvent e)
    {
        var at = _heldBytes.Length;
        _heldBytes.Write(e.Sse.Raw.Span);
        _heldBytes.Write(e.Sse.Type.Span);
        _heldBytes.Write(e.Sse.Data.Span);
        _held.Add(new Held(at, e.Sse.Raw.Length, e.Sse.Type.Length, e.Sse.Data.Length, e.Kind, e.Terminal));
    }

    private bool IsDrop(Exception e) =>
        e is IOException or HttpRequestException or InvalidDataException || (e is OperationCanceledException && !_clientGone.IsCancellationRequested);

    private readonly record struct Held(int At, int RawLength, int TypeLength, int DataLength, UpstreamEventKind Kind, TerminalFacts? Terminal)
    {
        public UpstreamEvent ToEvent(ReadOnlyMemory<byte> bytes)
        {
            var raw = bytes.Slice(At, RawLength);
            var type = bytes.Slice(At + RawLength, TypeLength);
            var data = bytes.Slice(At + RawLength + TypeLength, DataLength);
            return new UpstreamEvent(new SseEvent(raw, type, data), Kind, Terminal);
        }
    }
}
