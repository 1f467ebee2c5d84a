using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.ApiKeys;

/// <summary>A client key as stored: its hash, never its secret.</summary>
public sealed record ApiKeyRecord(string Id, string Name, string Prefix, string Sha256, DateTimeOffset CreatedAt);

/// <summary>The content of api-keys.json.</summary>
public sealed record ApiKeysDocument
{
    public const int CurrentSchemaVersion = 1;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<ApiKeyRecord> Keys { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
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
        _state = new PersistentState<ApiKeysDocument>(file, file.Load() ?? new ApiKeysDocument(), time);
        _state.Changed += _ => Changed?.Invoke();
        Time = time;
    }

    /// <summary>Raised after a key was created or revoked (on disk already); listeners must not block.</summary>
    public event Action? Changed;

    private TimeProvider Time { get; }

    public IReadOnlyList<ApiKeyRecord> All => _state.Current.Keys;

    /// <summary>Creates a key; returns it with its secret, or null when the name is taken.</summary>
    public Task<(ApiKeyRecord Key, string Secret)?> CreateAsync(string name)
    {
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKeyRecord("key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name,
            secret[..8] + "…", HashOf(secret), Time.GetUtcNow());
        return _state.MutateAsync(document =>
            document.Keys.Any(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
                ? (document, ((ApiKeyRecord, string)?)null)
                : (document with { Keys = document.Keys.Add(key) }, (key, secret)));
    }

    /// <summary>Deletes a key; false when the id is unknown.</summary>
    public Task<bool> RevokeAsync(string id) =>
        _state.MutateAsync(document => document.Keys.FirstOrDefault(k => k.Id == id) is { } key
            ? (document with { Keys = document.Keys.Remove(key) }, true)
            : (document, false));

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
