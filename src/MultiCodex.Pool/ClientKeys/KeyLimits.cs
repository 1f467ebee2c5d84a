using System.Text.Json.Serialization;

namespace MultiCodex.Pool.ClientKeys;

/// <summary>One budget of a client key: at most <see cref="Limit"/> of <see cref="Metric"/> per <see cref="Period"/>.</summary>
public sealed record KeyBudget(BudgetMetric Metric, BudgetPeriod Period, long Limit)
{
    /// <summary>The budget's name in the API and in events: <c>requests_per_day</c>, <c>tokens_per_month</c>, ….</summary>
    public string Name => $"{(Metric == BudgetMetric.Requests ? "requests" : "tokens")}_per_{BudgetWindows.Noun(Period)}";

    /// <summary>How it reads in a sentence: <c>daily request budget (100 requests per day)</c>.</summary>
    public string Describe() =>
        $"{BudgetWindows.Adjective(Period)} {(Metric == BudgetMetric.Requests ? "request" : "token")} budget "
        + $"({Limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(Metric == BudgetMetric.Requests ? "requests" : "tokens")} per {BudgetWindows.Noun(Period)}, UTC)";
}

/// <summary>
/// What a client key may do — the same rules on Control (which stores and counts) and on every Edge (which
/// enforces). A property left at its default sets no limit of that kind.
/// </summary>
public sealed record KeyLimits
{
    /// <summary>No limits at all.</summary>
    public static readonly KeyLimits None = new();

    /// <summary>When the key stops working; null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The models the key may ask for; an entry ending in <c>*</c> is a prefix. Empty: any model.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>At most this many requests at once, on each Edge; 0: no limit.</summary>
    public int MaxConcurrentRequests { get; init; }

    public long RequestsPerDay { get; init; }

    public long RequestsPerWeek { get; init; }

    public long RequestsPerMonth { get; init; }

    public long TokensPerDay { get; init; }

    public long TokensPerWeek { get; init; }

    public long TokensPerMonth { get; init; }

    /// <summary>The accounts the key's requests may be served by; empty: any.</summary>
    public IReadOnlyList<string> AllowedAccountIds { get; init; } = [];

    /// <summary>The budgets that are set, requests before tokens, the shorter window first.</summary>
    [JsonIgnore]
    public IReadOnlyList<KeyBudget> Budgets
    {
        get
        {
            var budgets = new List<KeyBudget>(6);
            Add(budgets, BudgetMetric.Requests, BudgetPeriod.Day, RequestsPerDay);
            Add(budgets, BudgetMetric.Requests, BudgetPeriod.Week, RequestsPerWeek);
            Add(budgets, BudgetMetric.Requests, BudgetPeriod.Month, RequestsPerMonth);
            Add(budgets, BudgetMetric.Tokens, BudgetPeriod.Day, TokensPerDay);
            Add(budgets, BudgetMetric.Tokens, BudgetPeriod.Week, TokensPerWeek);
            Add(budgets, BudgetMetric.Tokens, BudgetPeriod.Month, TokensPerMonth);
            return budgets;
        }
    }

    [JsonIgnore]
    public bool HasBudgets => RequestsPerDay > 0 || RequestsPerWeek > 0 || RequestsPerMonth > 0 || TokensPerDay > 0 || TokensPerWeek > 0 || TokensPerMonth > 0;

    [JsonIgnore]
    public bool IsEmpty => ExpiresAt is null && AllowedModels.Count == 0 && MaxConcurrentRequests == 0 && !HasBudgets && AllowedAccountIds.Count == 0;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>True when the key may ask for <paramref name="model"/> (model ids compare without regard to case).</summary>
    public bool AllowsModel(string model)
    {
        if (AllowedModels.Count == 0)
        {
            return true;
        }
        foreach (var pattern in AllowedModels)
        {
            if (pattern.EndsWith('*')
                ? model.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.OrdinalIgnoreCase)
                : string.Equals(model, pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static void Add(List<KeyBudget> budgets, BudgetMetric metric, BudgetPeriod period, long limit)
    {
        if (limit > 0)
        {
            budgets.Add(new KeyBudget(metric, period, limit));
        }
    }
}

/// <summary>What one key used in one calendar window.</summary>
public readonly record struct WindowCount(DateTimeOffset Start, long Requests, long Tokens)
{
    public long Of(BudgetMetric metric) => metric == BudgetMetric.Requests ? Requests : Tokens;
}

/// <summary>What the budgets count, the same on every Edge and on Control.</summary>
public static class BudgetCounting
{
    /// <summary>
    /// True when a request counts toward its key's budgets: a model request (not the catalog, <c>models</c>) that was
    /// sent to an account at least once — a request refused before that (by a key limit, a malformed body, an
    /// exhausted pool) costs the pool nothing and counts for nothing.
    /// </summary>
    public static bool Counts(string endpoint, int attempts) => attempts > 0 && endpoint != "models";
}
