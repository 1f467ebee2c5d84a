using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MultiCodex.Control.Accounts;

/// <summary>The content of accounts.json.</summary>
public sealed record AccountsDocument
{
    /// <summary>The schema this code writes; a file with a newer schema is refused rather than misread.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<AccountRecord> Accounts { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountsDocument))]
internal sealed partial class AccountsJsonContext : JsonSerializerContext;
