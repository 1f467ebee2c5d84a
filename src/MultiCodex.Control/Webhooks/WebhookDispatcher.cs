using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using MultiCodex.Control.Events;

namespace MultiCodex.Control.Webhooks;

/// <summary>
/// Fans every published event out to the webhooks that want it. Each webhook has its own bounded queue and worker,
/// so a slow or dead receiver delays only its own deliveries; publishing an event (and the state change behind it)
/// never waits for any of them. A queue that overflows drops its oldest delivery and says so in the delivery log.
/// </summary>
public sealed partial class WebhookDispatcher(
    ControlEvents events, WebhookStore store, WebhookSender sender, DeliveryAttemptLog log, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    /// <summary>Deliveries waiting per webhook before the oldest is dropped.</summary>
    public const int QueueCapacity = 100;

    private const int SubscriptionBacklog = 1024;
    private readonly Dictionary<string, Channel<PendingDelivery>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _workers = new();
    // Never disposed: it has no timer, and a host may be stopped again after it was disposed.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Queues a test event for one webhook, whatever its filter and even when disabled; null for an unknown id.</summary>
    public ControlEvent? SendTest(string webhookId)
    {
        if (store.Find(webhookId) is null)
        {
            return null;
        }
        var test = events.Create(ControlEventType.WebhookTest,
            $"Test event from MultiCodex for webhook {webhookId}: if you can read this, deliveries arrive.",
            new Dictionary<string, string> { ["webhook_id"] = webhookId });
        Enqueue(webhookId, test, forced: true);
        return test;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.Changed += ForgetDeletedWebhooks;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var subscription = events.Subscribe(SubscriptionBacklog);
            try
            {
                await foreach (var published in subscription.Reader.ReadAllAsync(stoppingToken))
                {
                    foreach (var webhook in store.All.Where(w => w.Enabled && w.Wants(published.Type)))
                    {
                        Enqueue(webhook.Id, published, forced: false);
                    }
                }
            }
            catch (EventSubscriptionOverflowException)
            {
                // Fanning out never waits, so this takes a storm of events; say so and carry on with the next ones.
                Log.FellBehind(logger, SubscriptionBacklog);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Control is stopping.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= ForgetDeletedWebhooks;
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_workers.Keys).WaitAsync(cancellationToken);
    }

    private void Enqueue(string webhookId, ControlEvent published, bool forced)
    {
        var delivery = new PendingDelivery("dlv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), webhookId, published, forced);
        // Under a lock: GetOrAdd alone may run the factory twice, and start a worker for a queue no one writes to.
        lock (_queues)
        {
            if (store.Find(webhookId) is null)
            {
                return;
            }
            if (!_queues.TryGetValue(webhookId, out var queue))
            {
                queue = StartWorker(webhookId);
                _queues[webhookId] = queue;
            }
            // Full, it drops its oldest delivery (see Dropped); it refuses only once completed, when the webhook is gone.
            queue.Writer.TryWrite(delivery);
        }
    }

    private Channel<PendingDelivery> StartWorker(string webhookId)
    {
        var queue = Channel.CreateBounded<PendingDelivery>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped => Dropped(dropped));
        var worker = Task.Run(async () =>
        {
            try
            {
                await foreach (var delivery in queue.Reader.ReadAllAsync(_stopping.Token))
                {
                    await sender.DeliverAsync(delivery, _stopping.Token);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Control is stopping.
            }
        });
        // Tracked until it ends (its webhook deleted, or Control stopping), so that stopping waits for it.
        _workers[worker] = true;
        _ = worker.ContinueWith(done => _workers.TryRemove(done, out _), TaskScheduler.Default);
        return queue;
    }

    private void Dropped(PendingDelivery dropped)
    {
        WebhookMetrics.Finished("dropped");
        Log.Dropped(logger, dropped.WebhookId, dropped.Event.Id, QueueCapacity);
        log.Add(dropped.WebhookId, new DeliveryAttemptRecord(dropped.DeliveryId, dropped.Event.Id, dropped.Event.Type, 0, dropped.Event.Time,
            TimeSpan.Zero, 0, $"Dropped: more than {QueueCapacity} deliveries were waiting for this webhook.", null));
    }

    private void ForgetDeletedWebhooks()
    {
        var live = store.All.Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        lock (_queues)
        {
            foreach (var (id, queue) in _queues.Where(q => !live.Contains(q.Key)).ToList())
            {
                queue.Writer.TryComplete();
                _queues.Remove(id);
                log.Remove(id);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1711, LogLevel.Warning, "Webhook {WebhookId}: dropped the delivery of event {EventId}: more than {Capacity} were waiting")]
        public static partial void Dropped(ILogger logger, string webhookId, string eventId, int capacity);

        [LoggerMessage(1712, LogLevel.Error, "The webhook dispatcher fell {Backlog} events behind; events in between were not delivered")]
        public static partial void FellBehind(ILogger logger, int backlog);
    }
}
