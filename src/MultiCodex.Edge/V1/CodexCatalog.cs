using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Pool;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The upstream's model catalog (<c>{"models":[…]}</c>, docs/upstream-responses.md §2.4) as one Codex CLI may see it:
/// each entry names the <c>minimal_client_version</c> it needs, and the upstream leaves out those the asking client is
/// too old for. MultiCodex fetches the catalog once, as the newest CLI (<see cref="CodexPersona"/>), and does the same
/// for each CLI that reads it through <c>model_catalog_url</c>.
/// </summary>
public static class CodexCatalog
{
    /// <summary>
    /// The catalog for <paramref name="clientVersion"/>: every member as the upstream sent it, its <c>models</c> without
    /// the entries that need a newer client. An absent or unreadable version keeps every entry.
    /// </summary>
    public static byte[] ForClient(byte[] catalog, string? clientVersion)
    {
        if (VersionOf(clientVersion) is not { } version)
        {
            return catalog;
        }
        try
        {
            using var document = JsonDocument.Parse(catalog);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return catalog;
            }
            using var output = new PooledBuffer(catalog.Length);
            using (var json = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions))
            {
                json.WriteStartObject();
                foreach (var member in document.RootElement.EnumerateObject())
                {
                    if (member.NameEquals("models"u8) && member.Value.ValueKind == JsonValueKind.Array)
                    {
                        json.WriteStartArray("models"u8);
                        foreach (var model in member.Value.EnumerateArray().Where(m => Supports(m, version)))
                        {
                            model.WriteTo(json);
                        }
                        json.WriteEndArray();
                    }
                    else
                    {
                        member.WriteTo(json);
                    }
                }
                json.WriteEndObject();
            }
            return output.Span.ToArray();
        }
        catch (JsonException)
        {
            return catalog;
        }
    }

    /// <summary>A version such as <c>0.171.0</c> (a pre-release or build suffix is ignored); null when it is not one.</summary>
    public static Version? VersionOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var core = text.Trim().Split('-', '+')[0];
        return Version.TryParse(core, out var version) ? version : null;
    }

    private static bool Supports(JsonElement model, Version client) =>
        model.ValueKind != JsonValueKind.Object
        || !model.TryGetProperty("minimal_client_version", out var minimal)
        || minimal.ValueKind != JsonValueKind.String
        || VersionOf(minimal.GetString()) is not { } needed
        || needed <= client;
}
