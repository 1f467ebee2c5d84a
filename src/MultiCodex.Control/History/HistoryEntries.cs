namespace MultiCodex.Control.History;

/// <summary>Something for the history writer to store; never a token or a prompt.</summary>
public abstract record HistoryEntry;

/// <summary>One upstream attempt of a client request, as an Edge reported it.</summary>
/// <param name="Time">When the attempt was sent upstream.</param>
/// <param name="KeyId">The client key's id (figures are per key id); <paramref name="KeyName"/> is for display.</param>
public sealed record AttemptEntry(
    string RequestId, int Attempt, DateTimeOffset Time, string Endpoint, string Transport, string Model, string KeyName, string KeyId,
    string AccountId, string AccountEmail, int Status, string ErrorCode, bool Blocked, TimeSpan? TimeToFirstByte, TimeSpan Duration,
    long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens) : HistoryEntry;

/// <summary>What the client finally got for one request.</summary>
/// <param name="Time">When the request arrived.</param>
public sealed record AnswerEntry(
    string RequestId, DateTimeOffset Time, string Endpoint, string Transport, string Model, string KeyName, string KeyId, int Status,
    string ErrorCode, TimeSpan Duration) : HistoryEntry;

/// <summary>One meter of an account as observed at <paramref name="Time"/>.</summary>
public sealed record UsageSampleEntry(
    string AccountId, DateTimeOffset Time, string Meter, double UsedPercent, TimeSpan? Window, DateTimeOffset? ResetsAt) : HistoryEntry;

/// <summary>Deletes everything older than <paramref name="Cutoff"/>.</summary>
public sealed record PruneEntry(DateTimeOffset Cutoff) : HistoryEntry;

/// <summary>Completes once everything written before it is committed (or given up on).</summary>
internal sealed record CommitMarker : HistoryEntry
{
    public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What counts as an error in the history: any status but 2xx, or an error code (a stream that failed inside).</summary>
internal static class Outcome
{
    public static bool IsError(int status, string errorCode) => status is < 200 or > 299 || errorCode.Length > 0;
}
