using Google.Protobuf.WellKnownTypes;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>The reports that carry an outcome, an answer or a binding to Control: the one place they are shaped.</summary>
internal static class PoolReports
{
    public static ControlV1.PoolReport Attempt(AccountLease lease, AttemptOutcome outcome)
    {
        var attempt = new ControlV1.AttemptReport
        {
            RequestId = outcome.RequestId,
            Attempt = outcome.Attempt,
            Endpoint = outcome.Endpoint,
            Transport = outcome.Transport,
            Model = outcome.Model,
            ClientName = outcome.ClientName ?? "",
            ClientKeyId = outcome.ClientKeyId ?? "",
            AccountId = lease.AccountId,
            StatusCode = outcome.Status,
            ErrorCode = outcome.ErrorCode ?? "",
            ErrorMessage = outcome.ErrorMessage ?? "",
            ResetsAt = outcome.ResetsAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            ResetsIn = outcome.ResetsIn is { } resetsIn ? Duration.FromTimeSpan(resetsIn) : null,
            InputTokens = outcome.Usage.InputTokens,
            CachedInputTokens = outcome.Usage.CachedInputTokens,
            OutputTokens = outcome.Usage.OutputTokens,
            ReasoningTokens = outcome.Usage.ReasoningTokens,
            TimeToFirstByte = outcome.TimeToFirstByte is { } ttfb ? Duration.FromTimeSpan(ttfb) : null,
            Duration = Duration.FromTimeSpan(outcome.Duration),
            PaidBy = lease.PaidBy ?? "",
            UpstreamModel = lease.UpstreamModel ?? "",
            Traceparent = outcome.TraceParent ?? "",
        };
        foreach (var (name, value) in outcome.RateLimitHeaders)
        {
            attempt.RateLimitHeaders[name] = value;
        }
        return new ControlV1.PoolReport { Attempt = attempt };
    }

    public static ControlV1.PoolReport Answer(ClientAnswer answer) => new()
    {
        Answer = new ControlV1.AnswerReport
        {
            RequestId = answer.RequestId,
            Endpoint = answer.Endpoint,
            Transport = answer.Transport,
            Model = answer.Model,
            ClientName = answer.ClientName ?? "",
            StatusCode = answer.Status,
            ErrorCode = answer.ErrorCode ?? "",
            Attempts = answer.Attempts,
            Duration = Duration.FromTimeSpan(answer.Duration),
            ClientKeyId = answer.ClientKeyId ?? "",
            InputTokens = answer.Usage.InputTokens,
            OutputTokens = answer.Usage.OutputTokens,
        },
    };

    /// <summary>A binding; when it was made travels as the report's age.</summary>
    public static ControlV1.PoolReport Binding(string sessionKey, string accountId) =>
        new() { Binding = new ControlV1.SessionBinding { SessionKey = sessionKey, AccountId = accountId } };
}
