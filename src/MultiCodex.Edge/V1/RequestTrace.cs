using System.Text;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// What one client request did, gathered as the pipeline runs and shaped once in step 5 (record): the attempts in
/// order (the failover chain), what the client finally got, and the committed stream's usage.
/// </summary>
public sealed class RequestTrace(string endpoint, string transport, string? clientName, TimeProvider time)
{
    private readonly long _startedAt = time.GetTimestamp();
    private readonly List<Attempt> _attempts = new(2);

    /// <summary>The Edge's id of the client request; its attempts share it.</summary>
    public string RequestId { get; } = "req_" + Guid.CreateVersion7().ToString("N");

    public string Endpoint { get; } = endpoint;

    public string Transport { get; } = transport;

    public string? ClientName { get; } = clientName;

    /// <summary>The client key's id (what Control attributes the request to); null while /v1 is open.</summary>
    public string? ClientKeyId { get; set; }

    /// <summary>The accounts the client key may use; null: any (set by the admission step).</summary>
    public IReadOnlySet<string>? AllowedAccountIds { get; set; }

    /// <summary>The model asked for; <c>-</c> until the body was read.</summary>
    public string Model { get; set; } = "-";

    /// <summary>The status the client got (200 for a stream that began, 499 when it went away).</summary>
    public int Status { get; private set; }

    /// <summary>The error code the client got, if any.</summary>
    public string? ErrorCode { get; private set; }

    /// <summary>The attempt that served the answer; null when none did.</summary>
    public AttemptScope? Served { get; set; }

    /// <summary>Token usage of the served response.</summary>
    public UsageFacts Usage { get; set; }

    public int AttemptCount => _attempts.Count;

    public TimeSpan Elapsed => time.GetElapsedTime(_startedAt);

    public void Answered(int status, string? errorCode)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public int BeginAttempt(string account)
    {
        _attempts.Add(new Attempt(account, 0, null));
        return _attempts.Count - 1;
    }

    public void UpdateAttempt(int index, int status, string? errorCode) => _attempts[index] = _attempts[index] with { Status = status, ErrorCode = errorCode };

    /// <summary>The failover chain, e.g. <c>alice@example.com 429 usage_limit_reached → erin@example.com 200</c>.</summary>
    public string Chain(string arrow)
    {
        if (_attempts.Count == 0)
        {
            return "-";
        }
        var text = new StringBuilder();
        foreach (var (account, status, error) in _attempts)
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

    private readonly record struct Attempt(string Account, int Status, string? ErrorCode);
}
