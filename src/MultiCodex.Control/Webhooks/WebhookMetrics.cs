using System.Diagnostics.Metrics;
using MultiCodex.Control.Observability;

namespace MultiCodex.Control.Webhooks;

/// <summary>Counters of webhook deliveries and attempts (<see cref="ControlMeter"/>); every label value starts at 0.</summary>
internal static class WebhookMetrics
{
    private static readonly Counter<long> Deliveries = ControlMeter.Meter.CreateCounter<long>("multicodex.control.webhook.deliveries", "{delivery}",
        "Webhook deliveries by final result: delivered, failed (no attempts left or refused), dropped (queue full or webhook gone).");

    private static readonly Counter<long> Attempts = ControlMeter.Meter.CreateCounter<long>("multicodex.control.webhook.attempts", "{attempt}",
        "Webhook delivery attempts, by outcome (success, failure).");

    /// <summary>Creates every series now (at start), so a scrape shows them before the first delivery.</summary>
    public static void Initialize()
    {
        foreach (var result in new[] { "delivered", "failed", "dropped" })
        {
            Finished(result, 0);
        }
        Attempted("success", 0);
        Attempted("failure", 0);
    }

    public static void Attempted(bool success) => Attempted(success ? "success" : "failure", 1);

    public static void Finished(string result) => Finished(result, 1);

    private static void Attempted(string outcome, long count) => Attempts.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    private static void Finished(string result, long count) => Deliveries.Add(count, new KeyValuePair<string, object?>("result", result));
}
