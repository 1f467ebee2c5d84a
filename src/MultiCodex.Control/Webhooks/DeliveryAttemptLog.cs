using System.Collections.Concurrent;
using MultiCodex.Control.Events;

namespace MultiCodex.Control.Webhooks;

/// <summary>One attempt to deliver one event to one webhook, as the delivery log shows it.</summary>
public sealed record DeliveryAttemptRecord(
    string DeliveryId, string EventId, ControlEventType EventType, int Attempt, DateTimeOffset Time, TimeSpan Duration,
    int StatusCode, string? Error, DateTimeOffset? NextAttemptTime)
{
    public bool Success => Error is null;
}

/// <summary>The last <see cref="Capacity"/> attempts of every webhook, in memory (it starts empty when Control starts).</summary>
public sealed class DeliveryAttemptLog
{
    public const int Capacity = 50;

    private readonly ConcurrentDictionary<string, Queue<DeliveryAttemptRecord>> _byWebhook = new();

    public void Add(string webhookId, DeliveryAttemptRecord attempt)
    {
        var attempts = _byWebhook.GetOrAdd(webhookId, _ => new Queue<DeliveryAttemptRecord>(Capacity));
        lock (attempts)
        {
            if (attempts.Count == Capacity)
            {
                attempts.Dequeue();
            }
            attempts.Enqueue(attempt);
        }
    }

    /// <summary>The webhook's attempts, newest first.</summary>
    public IReadOnlyList<DeliveryAttemptRecord> List(string webhookId)
    {
        if (!_byWebhook.TryGetValue(webhookId, out var attempts))
        {
            return [];
        }
        lock (attempts)
        {
            return attempts.Reverse().ToList();
        }
    }

    public DeliveryAttemptRecord? Last(string webhookId)
    {
        if (!_byWebhook.TryGetValue(webhookId, out var attempts))
        {
            return null;
        }
        lock (attempts)
        {
            return attempts.Count == 0 ? null : attempts.Last();
        }
    }

    public void Remove(string webhookId) => _byWebhook.TryRemove(webhookId, out _);
}
