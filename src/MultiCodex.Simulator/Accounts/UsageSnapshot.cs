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

/// <summary>An account's usage at one instant: primary is normally 5 h and secondary weekly;
/// for a weekly-only account the primary is weekly and there is no secondary.</summary>
public sealed record UsageSnapshot(UsageWindowSnapshot Primary, UsageWindowSnapshot? Secondary)
{
    /// <summary>True when any window is used up.</summary>
    public bool LimitReached => Primary.IsExhausted || Secondary?.IsExhausted == true;

    /// <summary>The window that blocks the account (the one resetting last among the exhausted), or null.</summary>
    public UsageWindowSnapshot? BlockingWindow =>
        new[] { Primary, Secondary }.Where(w => w?.IsExhausted == true).MaxBy(w => w!.ResetAt);
}
