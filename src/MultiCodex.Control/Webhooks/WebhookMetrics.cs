using Prometheus;

namespace MultiCodex.Control.Webhooks;

/// <summary>Prometheus counters of webhook deliveries and attempts; every label value starts at 0.</summary>
internal static class WebhookMetrics
{
    private static readonly Counter Deliveries = Metrics.CreateCounter("multicodex_control_webhook_deliveries_total",
        "Webhook deliveries by final result: delivered, failed (no attempts left or refused), dropped (queue full or webhook gone).", "result");

    private static readonly Counter Attempts = Metrics.CreateCounter("multicodex_control_webhook_attempts_total",
        "Webhook delivery attempts, by outcome (success, failure).", "outcome");

    /// <summary>Creates every series now (at start), so a scrape shows them before the first delivery.</summary>
    public static void Initialize()
    {
        foreach (var result in new[] { "delivered", "failed", "dropped" })
        {
            Deliveries.WithLabels(result);
        }
        Attempts.WithLabels("success");
        Attempts.WithLabels("failure");
    }

    public static void Attempted(bool success) => Attempts.WithLabels(success ? "success" : "failure").Inc();

    public static void Finished(string result) => Deliveries.WithLabels(result).Inc();
}
