using MultiCodex.Simulator.Accounts;

namespace MultiCodex.Simulator;

/// <summary>One rate-limit window as reported in headers and <c>wham/usage</c>.</summary>
/// <param name="UsedPercent">0..100 (may exceed 100 when scripted).</param>
/// <param name="LimitWindowSeconds">Window length: 18000 (5 h) or 604800 (weekly).</param>
/// <param name="ResetAt">When the window resets.</param>
/// <param name="ResetAfterSeconds">Seconds from now until <paramref name="ResetAt"/> (never negative).</param>
public sealed record UsageWindowSnapshot(double UsedPercent, int LimitWindowSeconds, DateTimeOffset ResetAt, long ResetAfterSeconds)
{
    /// <summary>Window length in minutes (300 or 10080), as in the <c>x-codex-*-window-minutes</c> headers.</summary>
    public int WindowMinutes => LimitWindowSeconds / 60;

    /// <summary>True when this window is used up.</summary>
    public bool IsExhausted => UsedPercent >= 100;
}

/// <summary>An account's usage at one instant: primary is normally 5 h and secondary weekly; for a weekly-only account
/// the primary is weekly and there is no secondary. A credit-only account reports <see cref="Budget"/> and no windows
/// (<c>rate_limit: null</c>); <see cref="Reserve"/> is the optional reserve meter.</summary>
public sealed record UsageSnapshot(UsageWindowSnapshot Primary, UsageWindowSnapshot? Secondary)
{
    /// <summary>The monthly credit budget of a credit-only account, else null.</summary>
    public CreditBudgetSnapshot? Budget { get; init; }

    /// <summary>The reserve meter, when the account has one.</summary>
    public ReserveSnapshot? Reserve { get; init; }

    /// <summary>A scripted workspace limit in force (<see cref="SimAccount.WorkspaceLimit"/>), else null.</summary>
    public RateLimitReachedKind? WorkspaceLimit { get; init; }

    /// <summary>True for a credit-only account: <c>rate_limit</c> is null and there are no window headers.</summary>
    public bool IsCreditOnly => Budget is not null;

    /// <summary>True when ordinary requests are refused (a window, the budget, or a workspace limit is used up).</summary>
    public bool LimitReached => WorkspaceLimit is not null || (Budget is { } budget ? budget.IsExhausted : Primary.IsExhausted || Secondary?.IsExhausted == true);

    /// <summary>Why ordinary requests are refused, or null while they are allowed.</summary>
    public RateLimitReachedKind? ReachedKind =>
        WorkspaceLimit ?? (!LimitReached ? null : IsCreditOnly ? RateLimitReachedKind.SpendControlReached : RateLimitReachedKind.UsageLimit);

    /// <summary>The window that blocks the account (the one resetting last among the exhausted), or null.</summary>
    public UsageWindowSnapshot? BlockingWindow =>
        IsCreditOnly ? null : new[] { Primary, Secondary }.Where(w => w?.IsExhausted == true).MaxBy(w => w!.ResetAt);

    /// <summary>When ordinary requests are allowed again: the blocking window's or the budget's reset.</summary>
    public DateTimeOffset? LimitResetsAt => Budget is { IsExhausted: true } budget ? budget.ResetAt : BlockingWindow?.ResetAt;
}
