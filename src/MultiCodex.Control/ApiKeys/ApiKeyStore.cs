using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MultiCodex.Control.Infrastructure.Storage;
using MultiCodex.Pool.ClientKeys;
using MultiCodex.Pool;

namespace MultiCodex.Control.ApiKeys;

/// <summary>A client key as stored: its hash, never its secret, and its limits.</summary>
public sealed record ApiKeyRecord(string Id, string Name, string Prefix, string Sha256, DateTimeOffset CreatedAt)
{
    /// <summary>What the key may do; <see cref="KeyLimits.None"/> when it has no limits.</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.None;
}

/// <summary>The content of api-keys.json. Schema 2 added each key's limits (a schema-1 file reads as keys without limits).</summary>
public sealed record ApiKeysDocument
{
    public const int CurrentSchemaVersion = 2;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<ApiKeyRecord> Keys { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(ApiKeysDocument))]
internal sealed partial class ApiKeysJsonContext : JsonSerializerContext;

/// <summary>
/// Client keys for /v1, kept in api-keys.json as SHA-256 hashes. The secrets are 32 random bytes, so a plain
/// hash is as strong as a slow one, and the Edge can check each request with one hash.
/// </summary>
public sealed class ApiKeyStore
{
    private const string SecretPrefix = "mcx_";
    private readonly PersistentState<ApiKeysDocument> _state;

    public ApiKeyStore(DataDirectory dataDirectory, TimeProvider time)
    {
        var file = new JsonFile<ApiKeysDocument>(dataDirectory, "api-keys.json", ApiKeysJsonContext.Default.ApiKeysDocument);
        var document = file.Load() ?? new ApiKeysDocument();
        if (document.SchemaVersion > ApiKeysDocument.CurrentSchemaVersion)
        {
            // An older build would drop what it does not know (the limits) with its next write.
            throw new InvalidDataException(
                $"{file.Path} has schema version {document.SchemaVersion}, newer than this build understands ({ApiKeysDocument.CurrentSchemaVersion}).");
        }
        _state = new PersistentState<ApiKeysDocument>(file, document with { SchemaVersion = ApiKeysDocument.CurrentSchemaVersion }, time);
        _state.Changed += _ => Changed?.Invoke();
        Time = time;
    }

    /// <summary>Raised after a key was created, changed or revoked (on disk already); listeners must not block.</summary>
    public event Action? Changed;

    private TimeProvider Time { get; }

    public IReadOnlyList<ApiKeyRecord> All => _state.Current.Keys;

    public ApiKeyRecord? Find(string id) => _state.Current.Keys.Find(k => k.Id == id);

    /// <summary>The key whose secret hashes to <paramref name="sha256"/> (lower-case hex), if any.</summary>
    public ApiKeyRecord? FindByHash(string sha256) =>
        _state.Current.Keys.Find(k => string.Equals(k.Sha256, sha256, StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates a key; returns it with its secret, or null when the name is taken.</summary>
    public Task<(ApiKeyRecord Key, string Secret)?> CreateAsync(string name, KeyLimits? limits = null)
    {
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKeyRecord("key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name,
            secret[..8] + "…", Sha256Hex.Of(secret), Time.GetUtcNow()) { Limits = limits ?? KeyLimits.None };
        return _state.MutateAsync(document =>
            document.Keys.Any(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
                ? (document, ((ApiKeyRecord, string)?)null)
                : (document with { Keys = document.Keys.Add(key) }, (key, secret)));
    }

    /// <summary>Changes a key's limits; returns the key as it is now, or null when the id is unknown.</summary>
    public Task<ApiKeyRecord?> UpdateLimitsAsync(string id, Func<KeyLimits, KeyLimits> change) =>
        _state.MutateAsync(document =>
        {
            if (document.Keys.Find(k => k.Id == id) is not { } key)
            {
                return (document, (ApiKeyRecord?)null);
            }
            var updated = key with { Limits = change(key.Limits) };
            return (document with { Keys = document.Keys.Replace(key, updated) }, updated);
        });

    /// <summary>Deletes a key; false when the id is unknown.</summary>
    public Task<bool> RevokeAsync(string id) =>
        _state.MutateAsync(document => document.Keys.FirstOrDefault(k => k.Id == id) is { } key
            ? (document with { Keys = document.Keys.Remove(key) }, true)
            : (document, false));

}
