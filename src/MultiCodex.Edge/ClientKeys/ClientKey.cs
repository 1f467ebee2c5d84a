using MultiCodex.Pool.ClientKeys;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.ClientKeys;

/// <summary>A client key as the Edge enforces it: its id (what reports name), its name, its limits.</summary>
public sealed record ClientKey(string Id, string Name, KeyLimits Limits)
{
    /// <summary>The allowed accounts as a set for the lease; null when any account may serve the key.</summary>
    public IReadOnlySet<string>? AllowedAccounts { get; } = Limits.AllowedAccountIds.Count > 0 ? Limits.AllowedAccountIds.ToHashSet(StringComparer.Ordinal) : null;
}

/// <summary>Maps the keys and counts of Control's pushed view to the shared rules' types.</summary>
internal static class ClientKeyMapper
{
    public static ClientKey ToKey(ControlV1.ApiKeyDigest digest) => new(digest.Id, digest.Name, ToLimits(digest.Limits));

    public static KeyLimits ToLimits(ControlV1.ApiKeyLimits? limits) => limits is null ? KeyLimits.None : new KeyLimits
    {
        ExpiresAt = limits.ExpireTime?.ToDateTimeOffset(),
        AllowedModels = [.. limits.AllowedModels],
        MaxConcurrentRequests = limits.MaxConcurrentRequests,
        RequestsPerDay = limits.RequestsPerDay,
        RequestsPerWeek = limits.RequestsPerWeek,
        RequestsPerMonth = limits.RequestsPerMonth,
        TokensPerDay = limits.TokensPerDay,
        TokensPerWeek = limits.TokensPerWeek,
        TokensPerMonth = limits.TokensPerMonth,
        AllowedAccountIds = [.. limits.AllowedAccountIds],
    };

    public static KeyUsageCounts ToCounts(ControlV1.KeyUsageTotals totals)
    {
        var counts = KeyUsageCounts.Zero;
        foreach (var window in totals.Windows)
        {
            var count = new WindowCount(window.StartTime?.ToDateTimeOffset() ?? default, window.Requests, window.Tokens);
            counts = window.Period switch
            {
                ControlV1.KeyBudgetStatus.Types.Period.Day => counts with { Day = count },
                ControlV1.KeyBudgetStatus.Types.Period.Week => counts with { Week = count },
                ControlV1.KeyBudgetStatus.Types.Period.Month => counts with { Month = count },
                _ => counts,
            };
        }
        return counts;
    }
}
