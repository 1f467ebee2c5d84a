using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using MultiCodex.Control.Accounts;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Pool;

/// <summary>Maps stored accounts to what the selection rules see and to what the Edges lease from.</summary>
internal static class PoolMapper
{
    // Each stored record is immutable, so its message is built once however many Edges watch.
    private static readonly ConditionalWeakTable<AccountRecord, V1.PoolAccount> Messages = new();

    /// <summary>The account as the shared rules see it.</summary>
    public static PoolAccount ToRules(AccountRecord account) => new()
    {
        Id = account.Id,
        Email = account.Email,
        Priority = account.Priority,
        Enabled = account.Enabled,
        ReauthRequired = account.ReauthReason is not null,
        BlockedUntil = account.Block?.Until,
        BlockReason = account.Block?.Reason,
        Usage = account.Usage,
        LastUsedAt = account.LastUsedAt,
    };

    /// <summary>The account as the Edges lease it: its access token only while it can serve, never its refresh token.</summary>
    public static V1.PoolAccount ToProto(AccountRecord account) => Messages.GetValue(account, Build);

    public static V1.SessionBinding ToProto(SessionBindingRecord binding) => new()
    {
        SessionKey = binding.SessionKey,
        AccountId = binding.AccountId,
        LastSeenTime = Timestamp.FromDateTimeOffset(binding.LastSeen),
    };

    private static V1.PoolAccount Build(AccountRecord account)
    {
        var proto = new V1.PoolAccount
        {
            Id = account.Id,
            Email = account.Email,
            Priority = account.Priority,
            Enabled = account.Enabled,
            ReauthReason = account.ReauthReason ?? "",
            ChatgptAccountId = account.ChatGptAccountId,
        };
        if (account.Enabled && account.ReauthReason is null)
        {
            proto.AccessToken = account.Tokens.AccessToken;
            if (account.Tokens.AccessTokenExpiresAt is { } expires)
            {
                proto.AccessTokenExpireTime = Timestamp.FromDateTimeOffset(expires);
            }
        }
        if (account.Block is { } block)
        {
            proto.BlockExpireTime = Timestamp.FromDateTimeOffset(block.Until);
            proto.BlockReason = block.Reason;
        }
        if (account.LastUsedAt is { } lastUsed)
        {
            proto.LastUsedTime = Timestamp.FromDateTimeOffset(lastUsed);
        }
        if (account.Usage is { } usage)
        {
            proto.Usage = AccountMapper.ToProto(usage);
        }
        return proto;
    }
}
