using Prometheus;

namespace MultiCodex.Control.Events;

/// <summary>Prometheus counter of published events; every type starts at 0, so graphs show zeros, not gaps.</summary>
internal static class EventMetrics
{
    private static readonly Counter Events = Metrics.CreateCounter("multicodex_control_events_total",
        "Events published, by type (account_blocked, pool_exhausted, …).", "type");

    /// <summary>Creates every series now (at start), so a scrape shows them before the first event.</summary>
    public static void Initialize()
    {
        foreach (var type in Enum.GetValues<ControlEventType>())
        {
            Events.WithLabels(LabelOf(type));
        }
    }

    public static void Published(ControlEventType type) => Events.WithLabels(LabelOf(type)).Inc();

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
