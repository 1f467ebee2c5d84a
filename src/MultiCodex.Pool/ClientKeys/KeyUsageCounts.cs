namespace MultiCodex.Pool.ClientKeys;

/// <summary>
/// What one client key used in the latest day, week and month it was used in (immutable). A request is added to the
/// windows that hold the time it arrived; a window that has ended counts for nothing — so nobody has to reset the
/// counts at midnight, and a count that arrives late for a window already over is dropped.
/// </summary>
public sealed record KeyUsageCounts(WindowCount Day, WindowCount Week, WindowCount Month)
{
    public static readonly KeyUsageCounts Zero = new(default, default, default);

    public WindowCount this[BudgetPeriod period] => period switch
    {
        BudgetPeriod.Day => Day,
        BudgetPeriod.Week => Week,
        _ => Month,
    };

    /// <summary>The counts with a request that arrived at <paramref name="at"/> added (<paramref name="requests"/> may be 0: tokens only).</summary>
    public KeyUsageCounts Add(DateTimeOffset at, long requests, long tokens) => new(
        Add(Day, BudgetPeriod.Day, at, requests, tokens),
        Add(Week, BudgetPeriod.Week, at, requests, tokens),
        Add(Month, BudgetPeriod.Month, at, requests, tokens));

    /// <summary>How much of <paramref name="metric"/> the window of <paramref name="period"/> that holds <paramref name="now"/> used.</summary>
    public long UsedAt(BudgetPeriod period, BudgetMetric metric, DateTimeOffset now) =>
        this[period] is var count && count.Start == BudgetWindows.Of(period, now).Start ? count.Of(metric) : 0;

    private static WindowCount Add(WindowCount count, BudgetPeriod period, DateTimeOffset at, long requests, long tokens)
    {
        var start = BudgetWindows.Of(period, at).Start;
        return start == count.Start ? count with { Requests = count.Requests + requests, Tokens = count.Tokens + tokens }
            : start > count.Start ? new WindowCount(start, requests, tokens)
            : count; // a window already over: nothing it held matters any more
    }
}
