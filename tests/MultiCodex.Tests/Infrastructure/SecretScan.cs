using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// Collects the secrets a scenario handled (account tokens, client keys, the admin token, sign-in codes) and finds
/// them in text: log lines and API answers must never contain one. A JWT is looked for by its payload and its
/// signature (either alone gives it away); other secrets whole, and beyond the prefix the API shows on purpose
/// (<c>mcx_abcd…</c>).
/// </summary>
public sealed class SecretScan
{
    private readonly ConcurrentDictionary<string, string> _needles = new(StringComparer.Ordinal);

    /// <summary>Adds a secret under a name used in failure messages.</summary>
    public void Add(string name, string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 12)
        {
            return;
        }
        var parts = secret.Split('.');
        if (parts.Length == 3 && parts.All(p => p.Length > 0))
        {
            _needles.TryAdd(parts[1], name + " (JWT payload)");
            _needles.TryAdd(parts[2], name + " (JWT signature)");
            return;
        }
        _needles.TryAdd(secret, name);
        if (secret.Length >= 24)
        {
            _needles.TryAdd(secret[8..24], name + " (past its shown prefix)");
        }
    }

    /// <summary>
    /// Adds every token stored in a data folder's accounts.json (what Control holds at this moment): each string under
    /// a key that names a token, wherever the file keeps it.
    /// </summary>
    public void AddStoredTokens(string dataDir)
    {
        var path = Path.Combine(dataDir, "accounts.json");
        if (File.Exists(path))
        {
            Walk(JsonNode.Parse(File.ReadAllText(path)), "accounts.json");
        }
    }

    private void Walk(JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue leaf && leaf.TryGetValue<string>(out var text) && key.Contains("token", StringComparison.OrdinalIgnoreCase))
                    {
                        Add($"{where}:{key}", text);
                    }
                    else
                    {
                        Walk(value, where);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, where);
                }
                break;
        }
    }

    /// <summary>Adds the three tokens of a test token set.</summary>
    public void Add(TestTokens.Set tokens)
    {
        Add($"{tokens.Email}'s access token", tokens.AccessToken);
        Add($"{tokens.Email}'s refresh token", tokens.RefreshToken);
        Add($"{tokens.Email}'s id token", tokens.IdToken);
    }

    public int Count => _needles.Count;

    /// <summary>Every secret found in <paramref name="text"/>.</summary>
    public IEnumerable<Leak> FindIn(string text, string where) =>
        _needles.Where(n => text.Contains(n.Key, StringComparison.Ordinal)).Select(n => new Leak(n.Value, where));

    /// <summary>A secret (by its name) found somewhere.</summary>
    public sealed record Leak(string Secret, string Where)
    {
        public override string ToString() => $"{Secret} in {Where}";
    }
}
