using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using MultiCodex.Control.Events;

namespace MultiCodex.Control.Webhooks;

/// <summary>A webhook as stored in webhooks.json. Immutable: every change makes a new record.</summary>
public sealed record WebhookRecord
{
    public required string Id { get; init; }
    public required string Url { get; init; }
    public string Description { get; init; } = "";

    /// <summary>The event types sent; empty sends every type.</summary>
    public ImmutableList<ControlEventType> EventTypes { get; init; } = [];

    public bool Enabled { get; init; } = true;

    /// <summary>The HMAC key deliveries are signed with. Kept as it is (signing needs it), like the account tokens beside it.</summary>
    public required string Secret { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool Wants(ControlEventType type) => EventTypes.Count == 0 || EventTypes.Contains(type);

    // Records print every property; the secret must never reach a log line or an exception message.
    public override string ToString() => $"WebhookRecord {{ Id = {Id} }}";
}

/// <summary>The content of webhooks.json.</summary>
public sealed record WebhooksDocument
{
    /// <summary>The schema this code writes; a file with a newer schema is refused rather than misread.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<WebhookRecord> Webhooks { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(WebhooksDocument))]
internal sealed partial class WebhooksJsonContext : JsonSerializerContext;
