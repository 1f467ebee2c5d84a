using System.Diagnostics;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Proxying;

/// <summary>How the first events of a stream went.</summary>
public enum ProbeResult { Healthy, FailedEarly, EndedEarly, NoFirstEvent }

/// <summary>
/// One upstream stream committed to (or being probed for) a client: the leased account, the response, and the
/// events. The first events are held until the stream proves healthy, so a failure there can still go to
/// another account without a byte sent. It watches the terminal event and reports the outcome when disposed.
/// </summary>
public sealed class UpstreamExchange : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly SseEventReader _reader;
    private readonly Queue<(byte[] Raw, byte[] Type, byte[] Data)> _held = new();
    private readonly OutcomeReporter _reporter;
    private readonly long _startedAt;
    private readonly TimeSpan _timeToFirstByte;
    private readonly TimeSpan _idleTimeout;
    private CancellationTokenSource? _idle;
    private EventFacts? _terminal;
    private bool _reported;

    public UpstreamExchange(Lease lease, HttpResponseMessage response, Stream body, OutcomeReporter reporter, long startedAt, TimeSpan timeToFirstByte,
        TimeSpan idleTimeout)
    {
        _idleTimeout = idleTimeout;
        Lease = lease;
        _response = response;
        _reader = new SseEventReader(body);
        _reporter = reporter;
        _startedAt = startedAt;
        _timeToFirstByte = timeToFirstByte;
    }

    public Lease Lease { get; }

    /// <summary>Time from sending the request to the upstream's response headers.</summary>
    public TimeSpan TimeToFirstByte => _timeToFirstByte;

    public HttpResponseMessage Response => _response;

    /// <summary>The error of a failure event, once one was seen.</summary>
    public EventFacts? Failure { get; private set; }

    /// <summary>Set when the client went away; the outcome is reported as 499.</summary>
    public bool ClientAborted { get; set; }

    /// <summary>True when the next event needs no network wait (writers flush before waiting).</summary>
    public bool HasBufferedEvent => _held.Count > 0 || _reader.HasBufferedEvent;

    /// <summary>
    /// Reads events until one that is not preamble (or a failure, or the end), holding them all;
    /// <paramref name="onEvent"/> runs after each one (the caller's timers).
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken, Action? onEvent = null)
    {
        while (await _reader.ReadAsync(cancellationToken) is { } e)
        {
            onEvent?.Invoke();
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

    /// <summary>Reports the outcome now and waits for Control's verdict (used on the failure paths that rotate).</summary>
    public async Task<ReportOutcomeResponse?> ReportNowAsync(CancellationToken cancellationToken)
    {
        _reported = true;
        return await _reporter.ReportAsync(BuildReport(), cancellationToken);
    }

    /// <summary>Reports an outcome the events cannot tell (a stream that never started), and waits for Control's verdict.</summary>
    public async Task<ReportOutcomeResponse?> ReportAsync(int status, string code, string message, CancellationToken cancellationToken)
    {
        _reported = true;
        var facts = new EventFacts(code, message, null, null, 0, 0, 0, 0);
        return await _reporter.ReportAsync(
            OutcomeReporter.Report(Lease.LeaseId, status, facts, _response, _timeToFirstByte, Stopwatch.GetElapsedTime(_startedAt)), cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        if (!_reported)
        {
            _reported = true;
            _reporter.ReportInBackground(BuildReport());
        }
        _idle?.Dispose();
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }

    private ReportOutcomeRequest BuildReport()
    {
        var facts = _terminal;
        var status = ClientAborted ? 499 : _terminal is null ? 502 : (int)_response.StatusCode;
        var report = OutcomeReporter.Report(Lease.LeaseId, status, facts, _response, _timeToFirstByte, Stopwatch.GetElapsedTime(_startedAt));
        if (_terminal is null && !ClientAborted)
        {
            report.ErrorCode = "stream_incomplete";
            report.ErrorMessage = "The upstream stream ended before response.completed.";
        }
        return report;
    }
}
