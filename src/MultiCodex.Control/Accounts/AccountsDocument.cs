using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MultiCodex.Control.Accounts;

/// <summary>The content of accounts.json.</summary>
public sealed record AccountsDocument
{
    /// <summary>
    /// The schema this code writes; a file with a newer schema is refused rather than misread, an older one is
    /// upgraded as it is read (<see cref="AccountsMigration"/>). 2: usage as meters, blocks per meter.
    /// </summary>
    public const int CurrentSchemaVersion = 2;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<AccountRecord> Accounts { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountsDocument))]
internal sealed partial class AccountsJsonContext : JsonSerializerContext;
