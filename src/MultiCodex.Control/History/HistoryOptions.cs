namespace MultiCodex.Control.History;

/// <summary>How long the request log and usage samples are kept in <c>history.db</c>.</summary>
public sealed class HistoryOptions
{
    /// <summary>Rows older than this are pruned (env <c>HISTORY_RETENTION_DAYS</c>; default 30 days; 1 to 3650).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
