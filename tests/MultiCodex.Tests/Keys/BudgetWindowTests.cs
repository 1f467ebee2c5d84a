using System.Globalization;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Tests.Keys;

/// <summary>
/// The calendar windows budgets count in (UTC), the same on Control and every Edge: where each begins and ends around
/// the boundaries a rolling count would blur — a Sunday night, the last second of a month and of a leap February.
/// </summary>
public sealed class BudgetWindowTests
{
    [Theory]
    // A Sunday belongs to the week that began the Monday before; a week may begin in the previous month or year.
    [InlineData("2026-11-29T23:59:59Z", BudgetPeriod.Week, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")]
    [InlineData("2026-11-30T00:00:00Z", BudgetPeriod.Week, "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")]
    [InlineData("2027-01-01T12:00:00Z", BudgetPeriod.Week, "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z", BudgetPeriod.Month, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2028-02-29T08:00:00Z", BudgetPeriod.Month, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z")]
    [InlineData("2026-11-29T23:59:59Z", BudgetPeriod.Day, "2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z")]
    // A time given in another zone falls in the UTC day it is in.
    [InlineData("2026-11-30T01:30:00+02:00", BudgetPeriod.Day, "2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z")]
    public void AWindow_BeginsAndEndsOnTheCalendarInUtc(string time, BudgetPeriod period, string start, string end)
    {
        var window = BudgetWindows.Of(period, Parse(time));

        Assert.Equal((Parse(start), Parse(end)), (window.Start, window.End));
    }

    [Fact]
    public void Counts_OfAWindowThatEnded_CountForNothing_AndALateRequestForItIsDropped()
    {
        var sunday = Parse("2026-11-29T22:00:00Z");
        var monday = Parse("2026-11-30T09:00:00Z");
        var counts = KeyUsageCounts.Zero.Add(sunday, 1, 100).Add(sunday, 1, 50);

        var nextWeek = counts.Add(monday, 1, 10).Add(sunday, 1, 1000); // the last one arrived late, for last week

        Assert.Equal((2, 150), (counts.UsedAt(BudgetPeriod.Week, BudgetMetric.Requests, sunday), counts.UsedAt(BudgetPeriod.Week, BudgetMetric.Tokens, sunday)));
        Assert.Equal(0, counts.UsedAt(BudgetPeriod.Week, BudgetMetric.Requests, monday));
        Assert.Equal((1, 10), (nextWeek.UsedAt(BudgetPeriod.Week, BudgetMetric.Requests, monday), nextWeek.UsedAt(BudgetPeriod.Week, BudgetMetric.Tokens, monday)));
        // The late request is late for its week only: November, still under way, counts it.
        Assert.Equal(4, nextWeek.UsedAt(BudgetPeriod.Month, BudgetMetric.Requests, monday));
    }

    private static DateTimeOffset Parse(string time) => DateTimeOffset.Parse(time, CultureInfo.InvariantCulture);
}
