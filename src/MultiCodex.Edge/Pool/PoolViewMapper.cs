using MultiCodex.Pool;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>Maps an account of Control's pushed view to what the shared selection rules read.</summary>
internal static class PoolViewMapper
{
    public static PoolAccount ToRules(ControlV1.PoolAccount account) => new()
    {
        Id = account.Id,
        Email = account.Email,
        Priority = account.Priority,
        Enabled = account.Enabled,
        ReauthRequired = account.ReauthReason.Length > 0,
        BlockedUntil = account.BlockExpireTime?.ToDateTimeOffset(),
        BlockReason = account.BlockReason.Length > 0 ? account.BlockReason : null,
        Usage = account.Usage is { } usage ? ToUsage(usage) : null,
        LastUsedAt = account.LastUsedTime?.ToDateTimeOffset(),
    };

    private static AccountUsageSnapshot ToUsage(ControlV1.AccountUsage usage) => new()
    {
        FiveHour = ToWindow(usage.FiveHour),
        Weekly = ToWindow(usage.Weekly),
        ObservedAt = usage.UpdateTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue,
    };

    private static UsageWindowSnapshot? ToWindow(ControlV1.UsageWindow? window) =>
        window is null ? null : new UsageWindowSnapshot(window.UsedPercent, window.Length?.ToTimeSpan() ?? TimeSpan.Zero, window.ResetTime?.ToDateTimeOffset());
}
