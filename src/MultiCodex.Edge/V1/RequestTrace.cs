using System.Diagnostics;
using System.Text;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// What one client request did, gathered as the pipeline runs and shaped once in step 5 (record): the attempts in
/// order (the failover chain) and when each was sent, what the client finally got, and the committed stream's usage.
/// </summary>
public sealed class RequestTrace(string endpoint, string transport, string? clientName, TimeProvider time)
{
    private readonly List<Attempt> _attempts = new(2);
    private AttemptScope? _served;

    /// <summary>The Edge's id of the client request; its attempts share it.</summary>
    public string RequestId { get; } = "req_" + Guid.CreateVersion7().ToString("N");

    public string Endpoint { get; } = endpoint;

    public string Transport { get; } = transport;

    public string? ClientName { get; } = clientName;

    /// <summary>The client key's id (what Control attributes the request to); null while /v1 is open.</summary>
    public string? ClientKeyId { get; set; }

    /// <summary>The accounts the client key may use; null: any (set by the admission step).</summary>
    public IReadOnlySet<string>? AllowedAccountIds { get; set; }

    /// <summary>
    /// The request's span (<see cref="EdgeTracing"/>), begun here and ended when the request is recorded; null while
    /// OpenTelemetry is off. It is the current activity from here on, so that leases and attempts nest in it.
    /// </summary>
    public Activity? Span { get; } = EdgeTracing.StartRequest(endpoint, transport);

    /// <summary>When the request arrived, on the Edge's clock; over HTTP, when the front door saw it (<see cref="ServerTiming.Follow"/>).</summary>
    public long StartedAt { get; set; } = time.GetTimestamp();

    /// <summary>The model asked for; <c>-</c> until the body was read.</summary>
    public string Model { get; set; } = "-";

    /// <summary>The status the client got (200 for a stream that began, 499 when it went away).</summary>
    public int Status { get; private set; }

    /// <summary>The error code the client got, if any.</summary>
    public string? ErrorCode { get; private set; }

    /// <summary>The attempt that served the answer; null when none did. Setting it marks the commit: the attempt's stream begins.</summary>
    public AttemptScope? Served
    {
        get => _served;
        set
        {
            _served = value;
            value?.StreamBegins();
        }
    }

    /// <summary>Token usage of the served response.</summary>
    public UsageFacts Usage { get; set; }

    public int AttemptCount => _attempts.Count;

    public TimeSpan Elapsed => time.GetElapsedTime(StartedAt);

    public void Answered(int status, string? errorCode)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>An attempt on <paramref name="account"/> was sent at <paramref name="startedAt"/>; returns its index.</summary>
    public int BeginAttempt(string account, long startedAt)
    {
        _attempts.Add(new Attempt(account, 0, null, new AttemptTiming(startedAt, null)));
        return _attempts.Count - 1;
    }

    /// <summary>The attempt's response headers came with <paramref name="status"/>, <paramref name="timeToFirstByte"/> after it was sent.</summary>
    public void HeadersArrived(int index, int status, TimeSpan timeToFirstByte) =>
        _attempts[index] = _attempts[index] with { Status = status, Timing = _attempts[index].Timing with { TimeToFirstByte = timeToFirstByte } };

    public void UpdateAttempt(int index, int status, string? errorCode) => _attempts[index] = _attempts[index] with { Status = status, ErrorCode = errorCode };

    /// <summary>Where the request's time went up to now (<see cref="RequestTiming"/>).</summary>
    public RequestTiming Timing() => Timing(time.GetTimestamp());

    /// <summary>Where the request's time went up to <paramref name="now"/>, a timestamp of the Edge's clock.</summary>
    public RequestTiming Timing(long now) =>
        RequestTiming.Measure(time, StartedAt, now, _attempts.Count, _attempts.Count > 0 ? _attempts[0].Timing : null, _attempts.Count > 0 ? _attempts[^1].Timing : null);

    /// <summary>The failover chain, e.g. <c>alice@example.com 429 usage_limit_reached → erin@example.com 200</c>.</summary>
    public string Chain(string arrow)
    {
        if (_attempts.Count == 0)
        {
            return "-";
        }
        var text = new StringBuilder();
        foreach (var (account, status, error, _) in _attempts)
        {
            text.Append(text.Length == 0 ? "" : arrow).Append(account).Append(' ').Append(status);
            if (error is not null)
            {
                text.Append(' ').Append(error);
            }
        }
        return text.ToString();
    }

    public ClientAnswer ToAnswer() => new()
    {
        RequestId = RequestId,
        Endpoint = Endpoint,
        Transport = Transport,
        Model = Model,
        ClientName = ClientName,
        ClientKeyId = ClientKeyId,
        Status = Status,
        ErrorCode = ErrorCode,
        Attempts = _attempts.Count,
        Duration = Elapsed,
        Usage = new TokenUsage(Usage.InputTokens, Usage.CachedInputTokens, Usage.OutputTokens, Usage.ReasoningTokens),
    };

    private readonly record struct Attempt(string Account, int Status, string? ErrorCode, AttemptTiming Timing);
}
