using System.Globalization;

namespace MultiCodex.Simulator;

/// <summary>One account's monthly credit budget at an instant.</summary>
/// <param name="Limit">Credits allowed in the period.</param>
/// <param name="Used">Credits spent so far.</param>
/// <param name="ResetAt">When the period starts over.</param>
/// <param name="ResetAfterSeconds">Seconds until <paramref name="ResetAt"/>.</param>
public sealed record CreditBudgetSnapshot(decimal Limit, decimal Used, DateTimeOffset ResetAt, long ResetAfterSeconds)
{
    /// <summary>Credits left (never negative).</summary>
    public decimal Remaining => Math.Max(0, Limit - Used);

    /// <summary>Percent spent, 0..100.</summary>
    public int UsedPercent => Limit <= 0 ? 100 : (int)Math.Min(100, Math.Round(Used / Limit * 100, MidpointRounding.AwayFromZero));

    /// <summary>True when the budget is spent.</summary>
    public bool IsExhausted => Used >= Limit;

    /// <summary>Amounts are decimal strings in the real payload, with no currency.</summary>
    internal static string Amount(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
