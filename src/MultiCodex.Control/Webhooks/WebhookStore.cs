using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using MultiCodex.Control.Events;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.Webhooks;

/// <summary>
/// The webhooks, kept in webhooks.json (atomic writes, mode 0600: the file holds the signing secrets). Every change
/// is on disk before it is acknowledged.
/// </summary>
public sealed class WebhookStore
{
    /// <summary>At most this many webhooks: each has its own queue and worker.</summary>
    public const int MaxWebhooks = 50;

    private const string SecretPrefix = "whsec_";
    private readonly PersistentState<WebhooksDocument> _state;
    private readonly TimeProvider _time;

    public WebhookStore(DataDirectory dataDirectory, TimeProvider time)
    {
        var file = new JsonFile<WebhooksDocument>(dataDirectory, "webhooks.json", WebhooksJsonContext.Default.WebhooksDocument);
        var document = file.Load() ?? new WebhooksDocument();
        if (document.SchemaVersion > WebhooksDocument.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"{file.Path} has schema version {document.SchemaVersion}, newer than this build understands ({WebhooksDocument.CurrentSchemaVersion}).");
        }
        _state = new PersistentState<WebhooksDocument>(file, document, time);
        _state.Changed += _ => Changed?.Invoke();
        _time = time;
    }

    /// <summary>Raised after a webhook was created, changed or deleted (on disk already); listeners must not block.</summary>
    public event Action? Changed;

    /// <summary>All webhooks, oldest first.</summary>
    public IReadOnlyList<WebhookRecord> All => _state.Current.Webhooks;

    public WebhookRecord? Find(string id) => All.FirstOrDefault(w => w.Id == id);

    /// <summary>Creates a webhook with a new secret; returns both, or null when <see cref="MaxWebhooks"/> exist already.</summary>
    public Task<(WebhookRecord Webhook, string Secret)?> CreateAsync(string url, string description, IEnumerable<ControlEventType> eventTypes, bool enabled)
    {
        var now = _time.GetUtcNow();
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var webhook = new WebhookRecord
        {
            Id = "whk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            Url = url,
            Description = description,
            EventTypes = [.. eventTypes],
            Enabled = enabled,
            Secret = secret,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return _state.MutateAsync(document => document.Webhooks.Count >= MaxWebhooks
            ? (document, ((WebhookRecord, string)?)null)
            : (document with { Webhooks = document.Webhooks.Add(webhook) }, (webhook, secret)));
    }

    /// <summary>Applies <paramref name="change"/> to one webhook; returns null when the id is unknown.</summary>
    public Task<WebhookRecord?> UpdateAsync(string id, Func<WebhookRecord, WebhookRecord> change) =>
        _state.MutateAsync(document =>
        {
            if (document.Webhooks.FirstOrDefault(w => w.Id == id) is not { } existing)
            {
                return (document, (WebhookRecord?)null);
            }
            var updated = change(existing) with { UpdatedAt = _time.GetUtcNow() };
            return (document with { Webhooks = document.Webhooks.Replace(existing, updated) }, updated);
        });

    /// <summary>Deletes a webhook; false when the id is unknown.</summary>
    public Task<bool> DeleteAsync(string id) =>
        _state.MutateAsync(document => document.Webhooks.FirstOrDefault(w => w.Id == id) is { } existing
            ? (document with { Webhooks = document.Webhooks.Remove(existing) }, true)
            : (document, false));

    /// <summary>Enough of a secret to tell two apart, never enough to use: the prefix and four characters.</summary>
    public static string HintOf(string secret) => secret.Length < SecretPrefix.Length + 8 ? "…" : secret[..(SecretPrefix.Length + 4)] + "…";
}
