namespace MultiCodex.Control.Pool;

/// <summary>How blocks and sticky sessions behave; the Edges get these through the pool view.</summary>
public sealed class PoolOptions
{
    /// <summary>How long a quota error blocks an account when the upstream names no reset (env <c>BLOCK_FALLBACK_SECONDS</c>; default 5 minutes).</summary>
    public TimeSpan FallbackCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a session key stays on its account without requests (env <c>STICKY_SESSION_IDLE_SECONDS</c>; default 1 hour).</summary>
    public TimeSpan StickyIdle { get; set; } = TimeSpan.FromHours(1);
}
