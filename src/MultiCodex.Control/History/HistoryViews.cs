namespace MultiCodex.Control.History;

/// <summary>One client request as stored, with its attempts in order.</summary>
public sealed record RequestView(
    string RequestId, DateTimeOffset Time, string Endpoint, string Transport, string Model, string KeyName, int Status, string ErrorCode,
    bool Answered, string AccountId, string AccountEmail, TimeSpan? TimeToFirstByte, TimeSpan? Duration,
    TokenCounts Tokens, IReadOnlyList<AttemptView> Attempts);

/// <summary>One upstream attempt as stored.</summary>
public sealed record AttemptView(
    int Attempt, DateTimeOffset Time, string AccountId, string AccountEmail, int Status, string ErrorCode, bool Blocked,
    TimeSpan? TimeToFirstByte, TimeSpan Duration, TokenCounts Tokens);

/// <summary>Token counts: input (cached included), cached input, output (reasoning included), reasoning.</summary>
public readonly record struct TokenCounts(long Input, long CachedInput, long Output, long Reasoning);

/// <summary>Requests, errors and tokens of some requests, and when the newest was made.</summary>
public sealed record UsageTotals(long Requests, long Errors, TokenCounts Tokens, DateTimeOffset? LastRequest)
{
    public static readonly UsageTotals None = new(0, 0, default, null);

    /// <summary>Cached input ÷ input, 0 without input.</summary>
    public double CacheHitRate => Tokens.Input > 0 ? (double)Tokens.CachedInput / Tokens.Input : 0;
}

/// <summary>The totals of one account, key or model.</summary>
public sealed record UsageGroupTotals(string Id, string DisplayName, UsageTotals Totals);

/// <summary>Totals over a window, overall and per account, key and model.</summary>
public sealed record UsageOverview(
    DateTimeOffset Start, DateTimeOffset End, UsageTotals Total, IReadOnlyList<UsageGroupTotals> Accounts,
    IReadOnlyList<UsageGroupTotals> Keys, IReadOnlyList<UsageGroupTotals> Models);

/// <summary>The filters of a request listing; null or empty means any.</summary>
public sealed record RequestFilter(
    string? AccountId = null, string? KeyName = null, string? Model = null, StatusFilter? Status = null, string? Transport = null,
    string? Endpoint = null, DateTimeOffset? Start = null, DateTimeOffset? End = null);

/// <summary>A status filter: an exact code, a class (<c>4xx</c>: 400–499), or every error.</summary>
public sealed record StatusFilter(int? Exact, int? Class, bool AnyError)
{
    /// <summary>Reads <c>429</c>, <c>4xx</c> or <c>error</c>; null when it is none of them.</summary>
    public static StatusFilter? Parse(string text)
    {
        text = text.Trim().ToLowerInvariant();
        if (text == "error")
        {
            return new StatusFilter(null, null, true);
        }
        if (text.Length == 3 && text.EndsWith("xx", StringComparison.Ordinal) && text[0] is >= '1' and <= '5')
        {
            return new StatusFilter(null, text[0] - '0', false);
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
            && code is >= 0 and <= 599 ? new StatusFilter(code, null, false) : null;
    }

    public override string ToString() => AnyError ? "error" : Class is { } c ? $"{c}xx" : $"{Exact}";
}
