using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>How meters are named in explanations and logs: "weekly window", "credit budget", "reserve gpt-reserve (gpt-5.6-luna)".</summary>
public static class MeterLabels
{
    public static string Of(UsageMeter meter) => meter.Kind switch
    {
        MeterKind.FiveHour => "5-hour window",
        MeterKind.Weekly => "weekly window",
        MeterKind.OtherWindow => Length(meter.Window ?? TimeSpan.Zero) + " window",
        MeterKind.CreditBudget => "credit budget",
        MeterKind.Reserve => $"reserve {meter.LimitName} ({meter.Model})",
        _ => "limit " + meter.LimitName,
    };

    /// <summary>"30-day", "12-hour", "90-minute".</summary>
    public static string Length(TimeSpan length) =>
        length.TotalDays >= 1 && length.TotalDays % 1 == 0 ? Count(length.TotalDays, "day")
        : length.TotalHours >= 1 && length.TotalHours % 1 == 0 ? Count(length.TotalHours, "hour")
        : Count(Math.Round(length.TotalMinutes), "minute");

    private static string Count(double value, string unit) => value.ToString("0", CultureInfo.InvariantCulture) + "-" + unit;
}
