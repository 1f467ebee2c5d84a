namespace MultiCodex.Pool.ClientKeys;

/// <summary>What a client key's budget counts.</summary>
public enum BudgetMetric
{
    /// <summary>Requests sent to an account (at least one upstream attempt).</summary>
    Requests = 1,

    /// <summary>Tokens: input (cached ones included) plus output (reasoning ones included).</summary>
    Tokens = 2,
}

/// <summary>The calendar window a budget counts in, in UTC.</summary>
public enum BudgetPeriod
{
    Day = 1,
    Week = 2,
    Month = 3,
}

/// <summary>One calendar window: from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive).</summary>
public readonly record struct BudgetWindow(BudgetPeriod Period, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>How long from <paramref name="now"/> until the window ends, never negative.</summary>
    public TimeSpan RemainingAt(DateTimeOffset now) => End > now ? End - now : TimeSpan.Zero;
}

/// <summary>
/// Budgets count in calendar windows in UTC — a day from 00:00, a week from Monday 00:00 (ISO 8601), a month from
/// the 1st 00:00 — rather than rolling ones: every Edge and Control agree on a window from the time alone, a count
/// is one number per window (no log of past requests to age out), and a budget frees up all at once at a time that
/// can be named exactly (the <c>Retry-After</c> of a refusal).
/// </summary>
public static class BudgetWindows
{
    public static readonly IReadOnlyList<BudgetPeriod> Periods = [BudgetPeriod.Day, BudgetPeriod.Week, BudgetPeriod.Month];

    /// <summary>The window of <paramref name="period"/> that holds <paramref name="time"/>.</summary>
    public static BudgetWindow Of(BudgetPeriod period, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return period switch
        {
            BudgetPeriod.Day => new BudgetWindow(period, day, day.AddDays(1)),
            // DayOfWeek counts from Sunday = 0; ISO weeks start on Monday.
            BudgetPeriod.Week => Week(day),
            BudgetPeriod.Month => new BudgetWindow(period, new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, "Unknown budget period."),
        };
    }

    /// <summary>The earliest start of the windows now under way (a week may begin in the previous month).</summary>
    public static DateTimeOffset EarliestStart(DateTimeOffset now) => Periods.Min(p => Of(p, now).Start);

    /// <summary>How a period reads in a sentence: <c>day</c>, <c>week</c>, <c>month</c>.</summary>
    public static string Noun(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "day",
        BudgetPeriod.Week => "week",
        _ => "month",
    };

    /// <summary>The adjective: <c>daily</c>, <c>weekly</c>, <c>monthly</c>.</summary>
    public static string Adjective(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "daily",
        BudgetPeriod.Week => "weekly",
        _ => "monthly",
    };

    private static BudgetWindow Week(DateTimeOffset day)
    {
        var start = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        return new BudgetWindow(BudgetPeriod.Week, start, start.AddDays(7));
    }
}
