namespace MultiCodex.Simulator.Accounts;

/// <summary>Mutable state of one rate-limit window; the owning account serializes access.</summary>
internal sealed class UsageWindow(int windowSeconds, DateTimeOffset resetAt)
{
    public int WindowSeconds { get; } = windowSeconds;

    public double UsedPercent { get; set; }

    public DateTimeOffset ResetAt { get; set; } = resetAt;

    /// <summary>Starts a fresh window once the reset time has passed, as the real limits do.</summary>
    public void RollOver(DateTimeOffset now)
    {
        if (now < ResetAt)
        {
            return;
        }

        UsedPercent = 0;
        var windows = Math.Floor((now - ResetAt).TotalSeconds / WindowSeconds) + 1;
        ResetAt = ResetAt.AddSeconds(windows * WindowSeconds);
    }

    public UsageWindowSnapshot Snapshot(DateTimeOffset now) =>
        new(Math.Round(UsedPercent, 2), WindowSeconds, ResetAt, Math.Max(0, (long)Math.Ceiling((ResetAt - now).TotalSeconds)));
}
