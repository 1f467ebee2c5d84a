using Google.Protobuf.Collections;
using Grpc.Core;
using MultiCodex.Control.Events;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Webhooks;

/// <summary>Maps WebhookService calls (gRPC, gRPC-Web and the /admin/webhooks REST routes) onto the webhook store and dispatcher.</summary>
internal sealed class WebhookGrpcService(WebhookStore store, WebhookDispatcher dispatcher, DeliveryAttemptLog log) : WebhookService.WebhookServiceBase
{
    public const int MaxDescriptionLength = 200;
    private static readonly string[] MutableFields = ["url", "description", "event_types", "enabled"];

    public override Task<ListWebhooksResponse> ListWebhooks(ListWebhooksRequest request, ServerCallContext context)
    {
        var response = new ListWebhooksResponse();
        response.Webhooks.AddRange(store.All.Select(w => WebhookMapper.ToProto(w, log.Last(w.Id))));
        return Task.FromResult(response);
    }

    public override Task<GetWebhookResponse> GetWebhook(GetWebhookRequest request, ServerCallContext context)
    {
        var webhook = Existing(request.Id);
        return Task.FromResult(new GetWebhookResponse { Webhook = WebhookMapper.ToProto(webhook, log.Last(webhook.Id)) });
    }

    public override async Task<CreateWebhookResponse> CreateWebhook(CreateWebhookRequest request, ServerCallContext context)
    {
        var fields = request.Webhook ?? new Webhook();
        var url = ValidUrl(fields.Url);
        var description = ValidDescription(fields.Description);
        var types = ValidTypes(fields.EventTypes);
        var created = await store.CreateAsync(url, description, types, fields.HasEnabled ? fields.Enabled : true)
            ?? throw ControlErrors.FailedPreconditionError("WEBHOOK_LIMIT_REACHED",
                $"{WebhookStore.MaxWebhooks} webhooks exist already; delete one first.");
        return new CreateWebhookResponse { Webhook = WebhookMapper.ToProto(created.Webhook, null), Secret = created.Secret };
    }

    public override async Task<UpdateWebhookResponse> UpdateWebhook(UpdateWebhookRequest request, ServerCallContext context)
    {
        var changes = request.Webhook ?? new Webhook();
        if (string.IsNullOrEmpty(changes.Id))
        {
            ControlErrors.InvalidArgument("webhook.id", "The webhook id is required.");
        }
        var fields = request.UpdateMask is { Paths.Count: > 0 } mask
            ? mask.Paths.Select(p => SnakeCase(p.Trim())).ToHashSet(StringComparer.Ordinal)
            : PresentFields(changes);
        foreach (var field in fields.Where(f => !MutableFields.Contains(f)))
        {
            ControlErrors.InvalidArgument("update_mask", $"Field '{field}' cannot be changed; only url, description, event_types and enabled can.");
        }
        if (fields.Count == 0)
        {
            ControlErrors.InvalidArgument("update_mask", "Nothing to change: give url, description, event_types or enabled.");
        }
        var url = fields.Contains("url") ? ValidUrl(changes.Url) : null;
        var description = fields.Contains("description") ? ValidDescription(changes.Description) : null;
        var types = fields.Contains("event_types") ? ValidTypes(changes.EventTypes) : null;
        bool? enabled = fields.Contains("enabled") ? changes.Enabled : null;

        var updated = await store.UpdateAsync(changes.Id, w => w with
        {
            Url = url ?? w.Url,
            Description = description ?? w.Description,
            EventTypes = types is null ? w.EventTypes : [.. types],
            Enabled = enabled ?? w.Enabled,
        }) ?? throw NotFound(changes.Id);
        return new UpdateWebhookResponse { Webhook = WebhookMapper.ToProto(updated, log.Last(updated.Id)) };
    }

    public override async Task<DeleteWebhookResponse> DeleteWebhook(DeleteWebhookRequest request, ServerCallContext context)
    {
        if (!await store.DeleteAsync(request.Id))
        {
            throw NotFound(request.Id);
        }
        return new DeleteWebhookResponse();
    }

    public override Task<TestWebhookResponse> TestWebhook(TestWebhookRequest request, ServerCallContext context)
    {
        var test = dispatcher.SendTest(request.Id) ?? throw NotFound(request.Id);
        return Task.FromResult(new TestWebhookResponse { Event = EventMapper.ToProto(test) });
    }

    public override Task<ListDeliveryAttemptsResponse> ListDeliveryAttempts(ListDeliveryAttemptsRequest request, ServerCallContext context)
    {
        var webhook = Existing(request.WebhookId);
        var response = new ListDeliveryAttemptsResponse();
        response.Attempts.AddRange(log.List(webhook.Id).Select(WebhookMapper.ToProto));
        return Task.FromResult(response);
    }

    private WebhookRecord Existing(string id) => store.Find(id) ?? throw NotFound(id);

    private static RpcException NotFound(string id) => ControlErrors.NotFoundError("WEBHOOK_NOT_FOUND", $"No webhook has id '{id}'.");

    private static string ValidUrl(string text) =>
        WebhookUrl.Validate(text, out var error) ?? throw ControlErrors.InvalidArgumentError("webhook.url", error);

    private static string ValidDescription(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > MaxDescriptionLength)
        {
            ControlErrors.InvalidArgument("webhook.description", $"The description is longer than {MaxDescriptionLength} characters.");
        }
        return trimmed;
    }

    private static List<ControlEventType> ValidTypes(RepeatedField<Event.Types.Type> types)
    {
        var valid = new List<ControlEventType>();
        foreach (var type in types)
        {
            var known = EventMapper.FromProto(type)
                ?? throw ControlErrors.InvalidArgumentError("webhook.event_types", $"Unknown event type {type}; leave the list empty for every type.");
            if (!valid.Contains(known))
            {
                valid.Add(known);
            }
        }
        return valid;
    }

    private static HashSet<string> PresentFields(Webhook changes)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        if (changes.Url.Length > 0) { fields.Add("url"); }
        if (changes.HasDescription) { fields.Add("description"); }
        if (changes.EventTypes.Count > 0) { fields.Add("event_types"); }
        if (changes.HasEnabled) { fields.Add("enabled"); }
        return fields;
    }

    // REST clients may name mask fields in JSON's camelCase (eventTypes); the mask's own form is snake_case.
    private static string SnakeCase(string path) =>
        string.Concat(path.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
