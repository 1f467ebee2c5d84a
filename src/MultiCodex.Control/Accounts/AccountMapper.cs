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
        if (account.IsBlockedAt(now))
        {
            proto.BlockExpireTime = Timestamp.FromDateTimeOffset(account.Block!.Until);
            proto.BlockReason = account.Block.Reason;
        }
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

    public static V1.AccountUsage ToProto(AccountUsageSnapshot usage) => new()
    {
        FiveHour = ToProto(usage.FiveHour),
        Weekly = ToProto(usage.Weekly),
        UpdateTime = Timestamp.FromDateTimeOffset(usage.ObservedAt),
        ProbeError = usage.ProbeError ?? "",
    };

    public static V1.Account.Types.State StateOf(AccountRecord account, DateTimeOffset now) =>
        !account.Enabled ? V1.Account.Types.State.Disabled
        : account.ReauthReason is not null ? V1.Account.Types.State.ReauthRequired
        : account.IsBlockedAt(now) ? V1.Account.Types.State.Blocked
        : V1.Account.Types.State.Active;

    /// <summary>Enough of a token to tell two apart, never enough to use: the last four characters.</summary>
    public static string Mask(string token) => token.Length < 12 ? "…" : "…" + token[^4..];

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
