using System.Diagnostics.Metrics;
using MultiCodex.Control.Observability;

namespace MultiCodex.Control.Events;

/// <summary>The counter of published events (<see cref="ControlMeter"/>); every type starts at 0, so graphs show zeros, not gaps.</summary>
internal static class EventMetrics
{
    private static readonly Counter<long> Events = ControlMeter.Meter.CreateCounter<long>("multicodex.control.events", "{event}",
        "Events published, by type (account_blocked, pool_exhausted, …).");

    /// <summary>Creates every series now (at start), so a scrape shows them before the first event.</summary>
    public static void Initialize()
    {
        foreach (var type in Enum.GetValues<ControlEventType>())
        {
            Count(type, 0);
        }
    }

    public static void Published(ControlEventType type) => Count(type, 1);

    private static void Count(ControlEventType type, long count) => Events.Add(count, new KeyValuePair<string, object?>("type", LabelOf(type)));

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
