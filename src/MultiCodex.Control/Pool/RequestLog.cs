namespace MultiCodex.Control.Pool;

/// <summary>One upstream request as reported by an Edge (an empty account: no account could take it); never a token or a prompt.</summary>
public sealed record RequestRecord(
    DateTimeOffset Time, string? ClientName, string AccountId, string Model, int Status, string? ErrorCode,
    TimeSpan? TimeToFirstByte, TimeSpan? Duration, long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens,
    bool Blocked);

/// <summary>The most recent requests, newest last, kept in memory for the dashboard.</summary>
public sealed class RequestLog
{
    public const int Capacity = 1000;
    private readonly Queue<RequestRecord> _records = new();
    private readonly Lock _gate = new();

    public void Add(RequestRecord record)
    {
        lock (_gate)
        {
            if (_records.Count == Capacity)
            {
                _records.Dequeue();
            }
            _records.Enqueue(record);
        }
    }

    public IReadOnlyList<RequestRecord> Recent(int count)
    {
        lock (_gate)
        {
            return _records.Skip(Math.Max(0, _records.Count - count)).ToList();
        }
    }
}
