using MultiCodex.Edge.Pool;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Proxying;

/// <summary>Which client request an upstream attempt belongs to, for its outcome.</summary>
public sealed record AttemptContext(string RequestId, int Attempt, string Endpoint, string Model, string? ClientName);

/// <summary>Shapes the outcome of one upstream attempt for the pool (never a token or a prompt).</summary>
public static class AttemptOutcomes
{
    public static AttemptOutcome Of(AttemptContext context, int status, EventFacts? facts, HttpResponseMessage? response,
        TimeSpan? timeToFirstByte, TimeSpan duration)
    {
        Dictionary<string, string>? headers = null;
        if (response is not null)
        {
            foreach (var (name, values) in response.Headers)
            {
                if (name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase))
                {
                    (headers ??= new Dictionary<string, string>(StringComparer.Ordinal))[name.ToLowerInvariant()] = string.Join(",", values);
                }
            }
        }
        var outcome = new AttemptOutcome
        {
            RequestId = context.RequestId,
            Attempt = context.Attempt,
            Endpoint = context.Endpoint,
            Model = context.Model,
            ClientName = context.ClientName,
            Status = status,
            ErrorCode = facts?.ErrorCode,
            ErrorMessage = facts?.ErrorMessage,
            ResetsAt = facts?.ResetsAt,
            ResetsIn = facts?.ResetsIn,
            Usage = facts is null ? default : new TokenUsage(facts.InputTokens, facts.CachedInputTokens, facts.OutputTokens, facts.ReasoningTokens),
            TimeToFirstByte = timeToFirstByte,
            Duration = duration,
        };
        return headers is null ? outcome : outcome with { RateLimitHeaders = headers };
    }
}
