using System.Text.Json.Nodes;
using MultiCodex.Control.V1;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The <c>limits</c> object of <c>GET /v1/usage</c>: the key's limits and where it stands against each, in the
/// snake_case of OpenAI's API with times in Unix seconds; null while the key has none. A budget's <c>used</c> is the
/// larger of Control's pool-wide count and what this Edge enforces (Control's count plus its own requests not yet
/// counted there), so a request answered a moment ago already shows.
/// </summary>
internal static class KeyLimitsJson
{
    public static JsonObject? Of(GetKeyUsageResponse usage, ClientKey? key, KeyLedger ledger, DateTimeOffset now)
    {
        var limits = ClientKeyMapper.ToLimits(usage.Limits);
        if (limits.IsEmpty)
        {
            return null;
        }
        var local = key is null ? [] : ledger.Standing(key);
        var budgets = new JsonArray();
        foreach (var budget in limits.Budgets)
        {
            var window = BudgetWindows.Of(budget.Period, now);
            var pooled = usage.Budgets.FirstOrDefault(b => Same(b, budget) && b.WindowStartTime?.ToDateTimeOffset() == window.Start)?.Used ?? 0;
            var used = Math.Max(pooled, local.FirstOrDefault(u => u.Budget == budget)?.Used ?? 0);
            budgets.Add(new JsonObject
            {
                ["budget"] = budget.Name,
                ["metric"] = budget.Metric == BudgetMetric.Requests ? "requests" : "tokens",
                ["period"] = BudgetWindows.Noun(budget.Period),
                ["limit"] = budget.Limit,
                ["used"] = used,
                ["remaining"] = Math.Max(0, budget.Limit - used),
                ["window_start"] = window.Start.ToUnixTimeSeconds(),
                ["resets_at"] = window.End.ToUnixTimeSeconds(),
            });
        }
        return new JsonObject
        {
            ["expires_at"] = limits.ExpiresAt?.ToUnixTimeSeconds(),
            ["expired"] = limits.IsExpiredAt(now),
            ["models"] = limits.AllowedModels.Count > 0 ? new JsonArray([.. limits.AllowedModels.Select(m => JsonValue.Create(m))]) : null,
            ["max_concurrent_requests"] = limits.MaxConcurrentRequests > 0 ? limits.MaxConcurrentRequests : null,
            ["concurrent_requests"] = key is null ? 0 : ledger.InFlight(key),
            ["accounts"] = limits.AllowedAccountIds.Count > 0 ? new JsonArray([.. limits.AllowedAccountIds.Select(a => JsonValue.Create(a))]) : null,
            ["budgets"] = budgets,
        };
    }

    private static bool Same(KeyBudgetStatus status, KeyBudget budget) =>
        (int)status.Metric == (int)budget.Metric && (int)status.Period == (int)budget.Period;
}
