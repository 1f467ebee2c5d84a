using System.Diagnostics;
using System.Net.Http.Headers;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>How one upstream attempt ended, before it is shaped into the pool's <see cref="AttemptOutcome"/>.</summary>
/// <param name="Status">The upstream's status; 0 when it never answered, 499 when the client went away.</param>
/// <param name="Error">The upstream's error, or one the Edge names (for example <c>upstream_first_event_timeout</c>).</param>
public readonly record struct AttemptEnd(int Status, UpstreamError? Error, UsageFacts Usage = default, HttpResponseHeaders? Headers = null)
{
    public static AttemptEnd Failed(int status, string code, string message) => new(status, new UpstreamError(code, null, message, null, null, null, null));

    /// <summary>A stream's end: its terminal event's facts, or why there was none.</summary>
    public static AttemptEnd Of(UpstreamStream stream, bool clientGone)
    {
        if (clientGone)
        {
            return new AttemptEnd(499, null, stream.Terminal?.Usage ?? default, stream.Headers);
        }
        if (stream.Terminal is not { } terminal)
        {
            var (code, message) = stream.Dropped
                ? ("stream_disconnected", "The upstream connection dropped before the response completed.")
                : ("stream_incomplete", "The upstream stream ended before response.completed.");
            return new AttemptEnd(502, new UpstreamError(code, null, message, null, null, null, null), default, stream.Headers);
        }
        return new AttemptEnd(stream.StatusCode, terminal.IsFailure ? terminal.Error : null, terminal.Usage, stream.Headers);
    }
}

/// <summary>
/// One upstream attempt on one leased account, and the one place its lease ends: <see cref="CompleteAsync"/> shapes
/// the outcome once and hands it to <see cref="IAccountPool.CompleteAsync"/> exactly once, whatever path the attempt
/// took (an error answer, a failover, a stream that ran to its end, a client that went away).
/// </summary>
public sealed class AttemptScope
{
    private static readonly OutcomeVerdict NoVerdict = new(false, false);

    private readonly IAccountPool _pool;
    private readonly RequestTrace _trace;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly int _entry;
    private readonly Activity? _span;
    private Activity? _stream;
    private TimeSpan? _timeToFirstByte;
    private int _completed;

    public AttemptScope(IAccountPool pool, AccountLease lease, RequestTrace trace, int number, TimeProvider time)
    {
        _pool = pool;
        _trace = trace;
        _time = time;
        _startedAt = time.GetTimestamp();
        Lease = lease;
        Number = number;
        _entry = trace.BeginAttempt(lease.AccountEmail, _startedAt);
        _span = EdgeTracing.StartAttempt(lease, number);
    }

    public AccountLease Lease { get; }

    /// <summary>1 for a request's first attempt, 2 for the next, …</summary>
    public int Number { get; }

    /// <summary>From sending the request upstream to its response headers; null until they came.</summary>
    public TimeSpan? TimeToFirstByte => _timeToFirstByte;

    /// <summary>The upstream's response headers arrived with <paramref name="status"/>.</summary>
    public void HeadersArrived(int status)
    {
        _timeToFirstByte = _time.GetElapsedTime(_startedAt);
        _trace.HeadersArrived(_entry, status, _timeToFirstByte.Value);
        EdgeTracing.HeadersArrived(_span, status);
    }

    /// <summary>The attempt's stream is committed to the client (<see cref="RequestTrace.Served"/>).</summary>
    public void StreamBegins()
    {
        if (Volatile.Read(ref _completed) == 0)
        {
            _stream ??= EdgeTracing.StartStream(_span);
        }
    }

    /// <summary>Ends the lease with its outcome; later calls do nothing and return no verdict.</summary>
    public async ValueTask<OutcomeVerdict> CompleteAsync(AttemptEnd end)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return NoVerdict;
        }
        var outcome = new AttemptOutcome
        {
            RequestId = _trace.RequestId,
            Attempt = Number,
            Endpoint = _trace.Endpoint,
            Transport = _trace.Transport,
            Model = _trace.Model,
            ClientName = _trace.ClientName,
            ClientKeyId = _trace.ClientKeyId,
            Status = end.Status,
            ErrorCode = end.Error?.CodeOrType,
            ErrorMessage = end.Error?.Message,
            ResetsAt = end.Error?.ResetsAt,
            ResetsIn = end.Error?.ResetsIn,
            RateLimitHeaders = RateLimitHeaders(end.Headers),
            Usage = new TokenUsage(end.Usage.InputTokens, end.Usage.CachedInputTokens, end.Usage.OutputTokens, end.Usage.ReasoningTokens),
            TimeToFirstByte = _timeToFirstByte,
            Duration = _time.GetElapsedTime(_startedAt),
            TraceParent = _span?.Id,
        };
        _trace.UpdateAttempt(_entry, outcome.Status, outcome.ErrorCode);
        // The attempt's span is current while the pool takes the outcome, so a token refresh at Control nests in it.
        if (_span is not null)
        {
            Activity.Current = _span;
        }
        try
        {
            // Never the client's cancellation: the outcome must reach the pool also when the client went away.
            return await _pool.CompleteAsync(Lease, outcome, CancellationToken.None);
        }
        finally
        {
            EdgeTracing.EndAttempt(_span, _stream, outcome);
        }
    }

    // The x-codex-* snapshot headers tell the pool the account's usage (docs/upstream-responses.md §4).
    private static IReadOnlyDictionary<string, string> RateLimitHeaders(HttpResponseHeaders? headers)
    {
        Dictionary<string, string>? found = null;
        if (headers is not null)
        {
            foreach (var (name, values) in headers)
            {
                if (name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase))
                {
                    (found ??= new(StringComparer.Ordinal))[name.ToLowerInvariant()] = string.Join(",", values);
                }
            }
        }
        return found ?? (IReadOnlyDictionary<string, string>)System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }
}
