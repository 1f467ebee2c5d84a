using Google.Protobuf.WellKnownTypes;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Accounts;

/// <summary>Maps stored accounts to their API shape; tokens never leave, only a masked hint.</summary>
internal static class AccountMapper
{
    public static V1.Account ToProto(AccountRecord account, DateTimeOffset now)
    {
        var proto = new V1.Account
        {
            Id = account.Id,
            Email = account.Email,
            Label = account.Label,
            Priority = account.Priority,
            Enabled = account.Enabled,
            State = StateOf(account, now),
            PlanType = account.PlanType ?? "",
            ChatgptAccountId = account.ChatGptAccountId,
            ChatgptUserId = account.ChatGptUserId ?? "",
            TokenHint = Mask(account.Tokens.AccessToken),
            LastRefreshTime = Timestamp.FromDateTimeOffset(account.Tokens.LastRefresh),
            ReauthReason = account.ReauthReason ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(account.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(account.UpdatedAt),
        };
        if (account.Tokens.AccessTokenExpiresAt is { } expires)
        {
            proto.AccessTokenExpireTime = Timestamp.FromDateTimeOffset(expires);
        }
        if (account.OrdinaryBlock(now) is { } block)
        {
            proto.BlockExpireTime = Timestamp.FromDateTimeOffset(block.Until);
            proto.BlockReason = block.Reason;
        }
        proto.Blocks.Add(MeterBlocks.InForce(account.Blocks, now).Select(ToProto));
        if (account.LastUsedAt is { } lastUsed)
        {
            proto.LastUsedTime = Timestamp.FromDateTimeOffset(lastUsed);
        }
        if (account.Usage is { } usage)
        {
            proto.Usage = ToProto(usage);
        }
        return proto;
    }

    /// <summary>The usage with every meter; <c>five_hour</c> and <c>weekly</c> are views of the <c>5h</c> and <c>weekly</c> meters.</summary>
    public static V1.AccountUsage ToProto(AccountUsageSnapshot usage)
    {
        var proto = new V1.AccountUsage
        {
            FiveHour = ToProto(usage.FiveHour),
            Weekly = ToProto(usage.Weekly),
            UpdateTime = Timestamp.FromDateTimeOffset(usage.ObservedAt),
            ProbeError = usage.ProbeError ?? "",
        };
        proto.Meters.Add(usage.Meters.Select(ToProto));
        return proto;
    }

    public static V1.MeterBlock ToProto(MeterBlock block) => new()
    {
        MeterKey = block.Meter,
        ExpireTime = Timestamp.FromDateTimeOffset(block.Until),
        Reason = block.Reason,
    };

    public static V1.Account.Types.State StateOf(AccountRecord account, DateTimeOffset now) =>
        !account.Enabled ? V1.Account.Types.State.Disabled
        : account.ReauthReason is not null ? V1.Account.Types.State.ReauthRequired
        : account.IsBlockedAt(now) ? V1.Account.Types.State.Blocked
        : V1.Account.Types.State.Active;

    /// <summary>Enough of a token to tell two apart, never enough to use: the last four characters.</summary>
    public static string Mask(string token) => token.Length < 12 ? "…" : "…" + token[^4..];

    private static V1.UsageMeter ToProto(UsageMeter meter) => new()
    {
        Key = meter.Key,
        Kind = meter.Kind switch
        {
            MeterKind.FiveHour => V1.UsageMeter.Types.Kind.FiveHour,
            MeterKind.Weekly => V1.UsageMeter.Types.Kind.Weekly,
            MeterKind.OtherWindow => V1.UsageMeter.Types.Kind.OtherWindow,
            MeterKind.CreditBudget => V1.UsageMeter.Types.Kind.CreditBudget,
            MeterKind.Reserve => V1.UsageMeter.Types.Kind.Reserve,
            _ => V1.UsageMeter.Types.Kind.OtherLimit,
        },
        UsedPercent = meter.UsedPercent,
        WindowLength = meter.Window is { } window ? Duration.FromTimeSpan(window) : null,
        ResetTime = meter.ResetsAt is { } reset ? Timestamp.FromDateTimeOffset(reset) : null,
        CreditLimit = Amount(meter.CreditLimit),
        CreditsUsed = Amount(meter.CreditsUsed),
        LimitName = meter.LimitName ?? "",
        Model = meter.Model ?? "",
        LimitReached = meter.LimitReached,
    };

    private static string Amount(decimal? amount) => amount?.ToString("0.00##", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static V1.UsageWindow? ToProto(UsageWindowSnapshot? window) =>
        window is null
            ? null
            : new V1.UsageWindow
            {
                UsedPercent = window.UsedPercent,
                Length = Duration.FromTimeSpan(window.Length),
                ResetTime = window.ResetsAt is { } reset ? Timestamp.FromDateTimeOffset(reset) : null,
            };
}
