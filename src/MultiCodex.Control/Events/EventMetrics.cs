using Prometheus;

namespace MultiCodex.Control.Events;

/// <summary>Prometheus counters of events and webhook deliveries (every label value starts at 0, so graphs show zeros, not gaps).</summary>
internal static class EventMetrics
{
    private static readonly Counter Events = Metrics.CreateCounter("multicodex_control_events_total",
        "Events published, by type (account_blocked, pool_exhausted, …).", "type");

    private static readonly Counter Deliveries = Metrics.CreateCounter("multicodex_control_webhook_deliveries_total",
        "Webhook deliveries by final result: delivered, failed (no attempts left or refused), dropped (queue full or webhook gone).", "result");

    private static readonly Counter Attempts = Metrics.CreateCounter("multicodex_control_webhook_attempts_total",
        "Webhook delivery attempts, by outcome (success, failure).", "outcome");

    static EventMetrics()
    {
        foreach (var type in Enum.GetValues<ControlEventType>())
        {
            Events.WithLabels(LabelOf(type));
        }
        foreach (var result in new[] { "delivered", "failed", "dropped" })
        {
            Deliveries.WithLabels(result);
        }
        Attempts.WithLabels("success");
        Attempts.WithLabels("failure");
    }

    /// <summary>Creates the series now (at start), so a scrape shows them before the first event.</summary>
    public static void Initialize() => Events.WithLabels(LabelOf(ControlEventType.AccountBlocked));

    public static void Published(ControlEventType type) => Events.WithLabels(LabelOf(type)).Inc();

    public static void Attempted(bool success) => Attempts.WithLabels(success ? "success" : "failure").Inc();

    public static void Finished(string result) => Deliveries.WithLabels(result).Inc();

    /// <summary>The snake_case name of a type, as in the metric's label: <c>account_blocked</c>.</summary>
    public static string LabelOf(ControlEventType type) => type switch
    {
        ControlEventType.AccountBlocked => "account_blocked",
        ControlEventType.AccountUnblocked => "account_unblocked",
        ControlEventType.ReauthRequired => "reauth_required",
        ControlEventType.RefreshFailing => "refresh_failing",
        ControlEventType.PoolExhausted => "pool_exhausted",
        ControlEventType.PoolRecovered => "pool_recovered",
        ControlEventType.KeyBudgetReached => "key_budget_reached",
        ControlEventType.WebhookTest => "webhook_test",
        _ => "unknown",
    };
}
