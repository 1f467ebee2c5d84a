using System.Diagnostics;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Proxying;

/// <summary>How the first events of a stream went.</summary>
public enum ProbeResult { Healthy, FailedEarly, EndedEarly }

/// <summary>
/// One upstream stream committed to (or being probed for) a client: the leased account, the response, and the
/// events. The first events are held until the stream proves healthy, so a failure there can still go to
/// another account without a byte sent. It watches the terminal event and ends the lease when disposed.
/// </summary>
public sealed class UpstreamExchange : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly SseEventReader _reader;
    private readonly Queue<(byte[] Raw, byte[] Type, byte[] Data)> _held = new();
    private readonly IAccountPool _pool;
    private readonly AttemptContext _context;
    private readonly long _startedAt;
    private readonly TimeSpan _timeToFirstByte;
    private readonly TimeSpan _idleTimeout;
    private CancellationTokenSource? _idle;
    private EventFacts? _terminal;
    private bool _reported;

    public UpstreamExchange(AccountLease lease, HttpResponseMessage response, Stream body, IAccountPool pool, AttemptContext context, long startedAt,
        TimeSpan timeToFirstByte, TimeSpan idleTimeout)
    {
        _idleTimeout = idleTimeout;
        Lease = lease;
        _response = response;
        _reader = new SseEventReader(body);
        _pool = pool;
        _context = context;
        _startedAt = startedAt;
        _timeToFirstByte = timeToFirstByte;
    }

    public AccountLease Lease { get; }

    /// <summary>The client request and attempt number this exchange is.</summary>
    public AttemptContext Context => _context;

    /// <summary>Time from sending the request to the upstream's response headers.</summary>
    public TimeSpan TimeToFirstByte => _timeToFirstByte;

    public HttpResponseMessage Response => _response;

    /// <summary>The error of a failure event, once one was seen.</summary>
    public EventFacts? Failure { get; private set; }

    /// <summary>Set when the client went away; the outcome is reported as 499.</summary>
    public bool ClientAborted { get; set; }

    /// <summary>True when the next event needs no network wait (writers flush before waiting).</summary>
    public bool HasBufferedEvent => _held.Count > 0 || _reader.HasBufferedEvent;

    /// <summary>Reads events until one that is not preamble (or a failure, or the end), holding them all.</summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        while (await _reader.ReadAsync(cancellationToken) is { } e)
        {
            _held.Enqueue((e.Raw.ToArray(), e.Type.ToArray(), e.Data.ToArray()));
            if (UpstreamEvents.IsFailure(e))
            {
                Failure = _terminal = UpstreamEvents.Facts(e);
                return ProbeResult.FailedEarly;
            }
            if (!UpstreamEvents.IsPreamble(e))
            {
                return ProbeResult.Healthy;
            }
        }
        return ProbeResult.EndedEarly;
    }

    /// <summary>
    /// The next event: held ones first, then live ones. Null at the end of the stream. An upstream silent for
    /// longer than the idle timeout counts as dropped (<see cref="IOException"/>), so no client waits forever.
    /// </summary>
    public async ValueTask<SseEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        SseEvent? next;
        if (_held.TryDequeue(out var held))
        {
            next = new SseEvent(held.Raw, held.Type, held.Data);
        }
        else
        {
            // One timer for the whole stream, re-armed before each read: no allocation per event.
            _idle ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _idle.CancelAfter(_idleTimeout);
            try
            {
                next = await _reader.ReadAsync(_idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"The upstream sent nothing for {_idleTimeout.TotalSeconds:F0} s.");
            }
        }
        if (next is { } e && UpstreamEvents.IsTerminal(e) && _terminal is null)
        {
            _terminal = UpstreamEvents.Facts(e);
            if (UpstreamEvents.IsFailure(e))
            {
                Failure = _terminal;
            }
        }
        return next;
    }

    /// <summary>Token usage from the terminal event, once it went by.</summary>
    public EventFacts? Usage => _terminal;

    /// <summary>True once a terminal event (completed, incomplete, failed, error) went by.</summary>
    public bool SawTerminal => _terminal is not null;

    /// <summary>Ends the lease now and returns the pool's verdict (used on the failure paths that rotate).</summary>
    public async Task<OutcomeVerdict> CompleteNowAsync(CancellationToken cancellationToken)
    {
        _reported = true;
        return await _pool.CompleteAsync(Lease, BuildOutcome(), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_reported)
        {
            _reported = true;
            await _pool.CompleteAsync(Lease, BuildOutcome(), CancellationToken.None);
        }
        _idle?.Dispose();
        _reader.Dispose();
        _response.Dispose();
    }

    private AttemptOutcome BuildOutcome()
    {
        var status = ClientAborted ? 499 : _terminal is null ? 502 : (int)_response.StatusCode;
        var outcome = AttemptOutcomes.Of(_context, status, _terminal, _response, _timeToFirstByte, Stopwatch.GetElapsedTime(_startedAt));
        return _terminal is null && !ClientAborted
            ? outcome with { ErrorCode = "stream_incomplete", ErrorMessage = "The upstream stream ended before response.completed." }
            : outcome;
    }
}
