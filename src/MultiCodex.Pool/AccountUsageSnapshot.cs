using System.Text.Json.Serialization;

namespace MultiCodex.Pool;

/// <summary>One rate-limit window as last observed: a view of a window meter.</summary>
/// <param name="UsedPercent">0–100.</param>
/// <param name="Length">The window's length (5 hours, a week, …): what identifies it.</param>
/// <param name="ResetsAt">When the window starts over, if known.</param>
public sealed record UsageWindowSnapshot(double UsedPercent, TimeSpan Length, DateTimeOffset? ResetsAt);

/// <summary>An account's meters, and when they were seen.</summary>
public sealed record AccountUsageSnapshot
{
    /// <summary>Every meter the upstream reported, at most one per <see cref="UsageMeter.Key"/>, ordinary windows first.</summary>
    public IReadOnlyList<UsageMeter> Meters { get; init; } = [];

    public DateTimeOffset ObservedAt { get; init; }

    /// <summary>Why the last usage probe failed, if it did (the meters are then the last known ones).</summary>
    public string? ProbeError { get; init; }

    /// <summary>The 5-hour window: a view of the <c>5h</c> meter.</summary>
    [JsonIgnore]
    public UsageWindowSnapshot? FiveHour => WindowOf(MeterKind.FiveHour);

    /// <summary>The weekly window: a view of the <c>weekly</c> meter.</summary>
    [JsonIgnore]
    public UsageWindowSnapshot? Weekly => WindowOf(MeterKind.Weekly);

    /// <summary>The meters that pay for ordinary requests (windows and the credit budget).</summary>
    [JsonIgnore]
    public IEnumerable<UsageMeter> Ordinary => Meters.Where(m => m.IsOrdinary);

    /// <summary>The meter with this key, if the account has it.</summary>
    public UsageMeter? Find(string key)
    {
        foreach (var meter in Meters)
        {
            if (meter.Key == key)
            {
                return meter;
            }
        }
        return null;
    }

    /// <summary>Snapshots with equal meters (in order), time and error are equal.</summary>
    public bool Equals(AccountUsageSnapshot? other) =>
        other is not null && ObservedAt == other.ObservedAt && ProbeError == other.ProbeError && Meters.SequenceEqual(other.Meters);

    public override int GetHashCode() => HashCode.Combine(ObservedAt, ProbeError, Meters.Count);

    private UsageWindowSnapshot? WindowOf(MeterKind kind)
    {
        foreach (var meter in Meters)
        {
            if (meter.Kind == kind)
            {
                return new UsageWindowSnapshot(meter.UsedPercent, meter.Window ?? TimeSpan.Zero, meter.ResetsAt);
            }
        }
        return null;
    }
}
