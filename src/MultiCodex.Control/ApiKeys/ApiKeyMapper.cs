using Google.Protobuf.WellKnownTypes;
using MultiCodex.Pool.ClientKeys;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.ApiKeys;

/// <summary>Maps stored keys, their limits and where they stand against their budgets to their protobuf messages.</summary>
internal static class ApiKeyMapper
{
    public static V1.ApiKey ToProto(ApiKeyRecord key, IEnumerable<KeyBudgetStanding> budgets)
    {
        var proto = new V1.ApiKey
        {
            Id = key.Id,
            Name = key.Name,
            Prefix = key.Prefix,
            CreateTime = Timestamp.FromDateTimeOffset(key.CreatedAt),
            Limits = ToProto(key.Limits),
        };
        proto.Budgets.AddRange(budgets.Select(ToProto));
        return proto;
    }

    /// <summary>The limits as the API shows them; null when there are none.</summary>
    public static V1.ApiKeyLimits? ToProto(KeyLimits limits)
    {
        if (limits.IsEmpty)
        {
            return null;
        }
        var proto = new V1.ApiKeyLimits
        {
            ExpireTime = limits.ExpiresAt is { } expires ? Timestamp.FromDateTimeOffset(expires) : null,
            MaxConcurrentRequests = limits.MaxConcurrentRequests,
            RequestsPerDay = limits.RequestsPerDay,
            RequestsPerWeek = limits.RequestsPerWeek,
            RequestsPerMonth = limits.RequestsPerMonth,
            TokensPerDay = limits.TokensPerDay,
            TokensPerWeek = limits.TokensPerWeek,
            TokensPerMonth = limits.TokensPerMonth,
        };
        proto.AllowedModels.AddRange(limits.AllowedModels);
        proto.AllowedAccountIds.AddRange(limits.AllowedAccountIds);
        return proto;
    }

    public static V1.KeyBudgetStatus ToProto(KeyBudgetStanding standing) => new()
    {
        Metric = standing.Budget.Metric == BudgetMetric.Requests ? V1.KeyBudgetStatus.Types.Metric.Requests : V1.KeyBudgetStatus.Types.Metric.Tokens,
        Period = ToProto(standing.Budget.Period),
        Limit = standing.Budget.Limit,
        Used = standing.Used,
        WindowStartTime = Timestamp.FromDateTimeOffset(standing.Window.Start),
        ResetTime = Timestamp.FromDateTimeOffset(standing.Window.End),
    };

    /// <summary>One key's counts in the pushed view.</summary>
    public static V1.KeyUsageTotals ToProto(string keyId, KeyUsageCounts counts)
    {
        var proto = new V1.KeyUsageTotals { KeyId = keyId };
        foreach (var period in BudgetWindows.Periods)
        {
            var count = counts[period];
            if (count.Start != default)
            {
                proto.Windows.Add(new V1.KeyWindowTotals
                {
                    Period = ToProto(period),
                    StartTime = Timestamp.FromDateTimeOffset(count.Start),
                    Requests = count.Requests,
                    Tokens = count.Tokens,
                });
            }
        }
        return proto;
    }

    private static V1.KeyBudgetStatus.Types.Period ToProto(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => V1.KeyBudgetStatus.Types.Period.Day,
        BudgetPeriod.Week => V1.KeyBudgetStatus.Types.Period.Week,
        _ => V1.KeyBudgetStatus.Types.Period.Month,
    };
}
