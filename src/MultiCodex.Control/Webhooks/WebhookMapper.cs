using Google.Protobuf.WellKnownTypes;
using MultiCodex.Control.Events;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Webhooks;

/// <summary>Maps stored webhooks and delivery attempts to their API shape; the secret never leaves, only its hint.</summary>
internal static class WebhookMapper
{
    public static V1.Webhook ToProto(WebhookRecord webhook, DeliveryAttemptRecord? lastAttempt)
    {
        var proto = new V1.Webhook
        {
            Id = webhook.Id,
            Url = webhook.Url,
            Description = webhook.Description,
            Enabled = webhook.Enabled,
            SecretHint = WebhookStore.HintOf(webhook.Secret),
            CreateTime = Timestamp.FromDateTimeOffset(webhook.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(webhook.UpdatedAt),
            LastAttempt = lastAttempt is null ? null : ToProto(lastAttempt),
        };
        proto.EventTypes.AddRange(webhook.EventTypes.Select(EventMapper.ToProto));
        return proto;
    }

    public static V1.DeliveryAttempt ToProto(DeliveryAttemptRecord attempt) => new()
    {
        DeliveryId = attempt.DeliveryId,
        EventId = attempt.EventId,
        EventType = EventMapper.ToProto(attempt.EventType),
        Attempt = attempt.Attempt,
        Time = Timestamp.FromDateTimeOffset(attempt.Time),
        Duration = Duration.FromTimeSpan(attempt.Duration),
        StatusCode = attempt.StatusCode,
        Error = attempt.Error ?? "",
        Success = attempt.Success,
        NextAttemptTime = attempt.NextAttemptTime is { } next ? Timestamp.FromDateTimeOffset(next) : null,
    };
}
