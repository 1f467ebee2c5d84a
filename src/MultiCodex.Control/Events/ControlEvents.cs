using System.Collections.Immutable;
using System.Security.Cryptography;
using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Events;

/// <summary>
/// Where Control code announces that something in the pool may need a person. One call publishes an event to the
/// recent list (<c>GET /admin/events</c>), every open WatchEvents stream and, through the webhook dispatcher, to
/// every matching webhook:
/// <code>
/// events.Publish(ControlEventType.KeyBudgetReached, $"Key {key.Name} used its daily request budget ({limit}).",
///     new Dictionary&lt;string, string&gt; { ["key_id"] = key.Id, ["budget"] = "requests_per_day", ["reset_time"] = reset.ToString("O") });
/// </code>
/// Publishing never blocks and never fails: it may be called inside a store's write gate (AccountStore.Changed).
/// Summaries and data must never hold a token, an API key or the admin token.
/// </summary>
public sealed partial class ControlEvents(TimeProvider time, ILogger<ControlEvents> logger)
{
    /// <summary>How many events the recent list keeps (in memory: it starts empty when Control starts).</summary>
    public const int RecentCapacity = 200;

    private static readonly IReadOnlyDictionary<string, string> NoData = ImmutableDictionary<string, string>.Empty;

    private readonly Lock _gate = new();
    private readonly Queue<ControlEvent> _recent = new(RecentCapacity);
    private ImmutableArray<EventSubscription> _subscribers = [];

    /// <summary>How many readers (WatchEvents streams, the webhook dispatcher) are subscribed now.</summary>
    public int SubscriberCount => _subscribers.Length;

    /// <summary>Publishes a new event and returns it (with its id and time).</summary>
    public ControlEvent Publish(ControlEventType type, string summary, IReadOnlyDictionary<string, string>? data = null, AccountRecord? account = null)
    {
        var published = Create(type, summary, data, account);
        lock (_gate)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }
            _recent.Enqueue(published);
            // Inside the gate, so that every subscriber sees the events in the same order.
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(published);
            }
        }
        EventMetrics.Published(type);
        Log.Published(logger, published.Id, type, published.Summary);
        return published;
    }

    /// <summary>Makes an event without publishing it: the webhook test event goes to one webhook only.</summary>
    public ControlEvent Create(ControlEventType type, string summary, IReadOnlyDictionary<string, string>? data = null, AccountRecord? account = null) =>
        new("evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), type, time.GetUtcNow(),
            account is null ? null : EventAccount.Of(account), summary, data ?? NoData);

    /// <summary>The most recent events, newest first.</summary>
    public IReadOnlyList<ControlEvent> Recent(int max, Func<ControlEvent, bool>? filter = null)
    {
        lock (_gate)
        {
            return _recent.Reverse().Where(filter ?? (_ => true)).Take(max).ToList();
        }
    }

    /// <summary>
    /// Subscribes to the events published from now on that pass <paramref name="filter"/>. A reader that falls
    /// <paramref name="capacity"/> events behind is cut off: its reader completes with an
    /// <see cref="EventSubscriptionOverflowException"/>, rather than silently missing events.
    /// </summary>
    public EventSubscription Subscribe(int capacity, Func<ControlEvent, bool>? filter = null)
    {
        var subscription = new EventSubscription(this, capacity, filter);
        ImmutableInterlocked.Update(ref _subscribers, (list, s) => list.Add(s), subscription);
        return subscription;
    }

    internal void Remove(EventSubscription subscription) =>
        ImmutableInterlocked.Update(ref _subscribers, (list, s) => list.Remove(s), subscription);

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Information, "Event {EventId} ({Type}): {Summary}")]
        public static partial void Published(ILogger logger, string eventId, ControlEventType type, string summary);
    }
}
