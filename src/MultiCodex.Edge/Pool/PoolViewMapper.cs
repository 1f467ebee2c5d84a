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
        Blocks = ToBlocks(account),
        Usage = account.Usage is { } usage ? ToUsage(usage) : null,
        LastUsedAt = account.LastUsedTime?.ToDateTimeOffset(),
    };

    // A Control from before meters sends one block, on the ordinary limit.
    private static IReadOnlyList<MeterBlock> ToBlocks(ControlV1.PoolAccount account) =>
        account.Blocks.Count > 0 ? [.. account.Blocks.Select(b => new MeterBlock(b.MeterKey, b.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue, b.Reason))]
        : account.BlockExpireTime is { } until ? [new MeterBlock(MeterKeys.Ordinary, until.ToDateTimeOffset(), account.BlockReason)]
        : [];

    private static AccountUsageSnapshot ToUsage(ControlV1.AccountUsage usage)
    {
        var observedAt = usage.UpdateTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
        // A Control from before meters sends the two windows only.
        return usage.Meters.Count > 0
            ? new AccountUsageSnapshot { Meters = [.. usage.Meters.Select(ToMeter)], ObservedAt = observedAt }
            : UsageMeters.Snapshot([ToWindow(usage.FiveHour), ToWindow(usage.Weekly)], observedAt);
    }

    private static UsageMeter ToMeter(ControlV1.UsageMeter meter) => new()
    {
        Kind = meter.Kind switch
        {
            ControlV1.UsageMeter.Types.Kind.FiveHour => MeterKind.FiveHour,
            ControlV1.UsageMeter.Types.Kind.Weekly => MeterKind.Weekly,
            ControlV1.UsageMeter.Types.Kind.OtherWindow => MeterKind.OtherWindow,
            ControlV1.UsageMeter.Types.Kind.CreditBudget => MeterKind.CreditBudget,
            ControlV1.UsageMeter.Types.Kind.Reserve => MeterKind.Reserve,
            _ => MeterKind.OtherLimit,
        },
        UsedPercent = meter.UsedPercent,
        Window = meter.WindowLength?.ToTimeSpan(),
        ResetsAt = meter.ResetTime?.ToDateTimeOffset(),
        CreditLimit = decimal.TryParse(meter.CreditLimit, System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit : null,
        CreditsUsed = decimal.TryParse(meter.CreditsUsed, System.Globalization.CultureInfo.InvariantCulture, out var used) ? used : null,
        LimitName = meter.LimitName.Length > 0 ? meter.LimitName : null,
        Model = meter.Model.Length > 0 ? meter.Model : null,
        LimitReached = meter.LimitReached,
    };

    private static UsageMeter? ToWindow(ControlV1.UsageWindow? window) =>
        window is null ? null : UsageMeters.Window(window.UsedPercent, window.Length?.ToTimeSpan() ?? TimeSpan.Zero, window.ResetTime?.ToDateTimeOffset());
}
