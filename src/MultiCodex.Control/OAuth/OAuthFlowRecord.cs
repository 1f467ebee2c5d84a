using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MultiCodex.Control.OAuth;

public enum FlowKind { Browser, Device }

/// <summary>Pending, completed, failed or cancelled; "expired" is derived from <see cref="OAuthFlowRecord.ExpiresAt"/>.</summary>
public enum FlowStatus { Pending, Completed, Failed, Cancelled }

/// <summary>One sign-in as oauth-state.json keeps it. Holds the PKCE verifier, so the file is owner-only like accounts.json.</summary>
public sealed record OAuthFlowRecord
{
    public required string Id { get; init; }
    public required FlowKind Kind { get; init; }
    public FlowStatus Status { get; init; }
    public string? Email { get; init; }
    /// <summary>Browser flows: the <c>state</c> parameter that ties the redirect back to this flow.</summary>
    public string? State { get; init; }
    /// <summary>The PKCE verifier (browser flows) or the one the issuer supplied (device flows, after approval).</summary>
    public string? CodeVerifier { get; init; }
    public required string RedirectUri { get; init; }
    public string? AuthorizeUrl { get; init; }
    public string? DeviceAuthId { get; init; }
    public string? UserCode { get; init; }
    public string? VerificationUrl { get; init; }
    public TimeSpan PollInterval { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string? Error { get; init; }
    public string? AccountId { get; init; }
    /// <summary>The account this sign-in renews ("Sign in again"); the signed-in identity must match it.</summary>
    public string? RenewAccountId { get; init; }

    public bool IsExpiredAt(DateTimeOffset now) => Status == FlowStatus.Pending && ExpiresAt <= now;
}

/// <summary>The content of oauth-state.json.</summary>
public sealed record OAuthStateDocument
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public ImmutableList<OAuthFlowRecord> Flows { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(OAuthStateDocument))]
internal sealed partial class OAuthStateJsonContext : JsonSerializerContext;
