using System.ComponentModel.DataAnnotations;

namespace MultiCodex.Control.Webhooks;

/// <summary>How webhook deliveries are attempted.</summary>
public sealed class WebhookOptions
{
    /// <summary>Time one attempt may take until the receiver's status line (env <c>WEBHOOK_TIMEOUT_SECONDS</c>; default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "WEBHOOK_TIMEOUT_SECONDS must be between 1 and 300.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery, the first included (env <c>WEBHOOK_MAX_ATTEMPTS</c>; default 6).</summary>
    [Range(1, 20, ErrorMessage = "WEBHOOK_MAX_ATTEMPTS must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the first retry; each further wait doubles, with jitter (default 10 s: 10, 20, 40, 80, 160 s).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>No wait between attempts is longer than this (default 10 minutes).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);
}
