namespace MultiCodex.Control.Usage;

/// <summary>How often Control probes every account's usage windows.</summary>
public sealed class UsageOptions
{
    /// <summary>Time between probes of all accounts (env <c>USAGE_REFRESH_SECONDS</c>; default 5 minutes; 0 turns probing off).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each interval is stretched or shrunk by up to this fraction, so several Controls do not probe in step.</summary>
    public double Jitter { get; set; } = 0.1;
}
