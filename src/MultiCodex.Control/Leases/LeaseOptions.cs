namespace MultiCodex.Control.Leases;

/// <summary>How leases, blocks and sticky sessions behave.</summary>
public sealed class LeaseOptions
{
    /// <summary>How long a quota error blocks an account when the upstream names no reset (env <c>BLOCK_FALLBACK_SECONDS</c>; default 5 minutes).</summary>
    public TimeSpan FallbackCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a session key stays on its account without requests (env <c>STICKY_SESSION_IDLE_SECONDS</c>; default 1 hour).</summary>
    public TimeSpan StickyIdle { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A lease never reported (an Edge that died) stops counting as in flight after this long.</summary>
    public TimeSpan LeaseTimeToLive { get; set; } = TimeSpan.FromMinutes(30);
}
