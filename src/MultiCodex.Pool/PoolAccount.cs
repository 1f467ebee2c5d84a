namespace MultiCodex.Pool;

/// <summary>
/// One account as the selection rules see it: the plain record Control maps its stored accounts to and the Edge
/// maps Control's pushed view to, so both sides apply the same rules to the same facts.
/// </summary>
public sealed record PoolAccount
{
    public required string Id { get; init; }

    /// <summary>The sign-in's email, for explanations; may be empty.</summary>
    public string Email { get; init; } = "";

    /// <summary>Lower is served first (0–1000).</summary>
    public int Priority { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>The issuer refused the refresh token for good: never selected until signed in again.</summary>
    public bool ReauthRequired { get; init; }

    /// <summary>A quota block ends by itself at this time.</summary>
    public DateTimeOffset? BlockedUntil { get; init; }

    public string? BlockReason { get; init; }

    public AccountUsageSnapshot? Usage { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>True when a block is still in force at <paramref name="now"/>.</summary>
    public bool IsBlockedAt(DateTimeOffset now) => BlockedUntil is { } until && until > now;

    /// <summary>How the account is named in explanations: its email, else its id.</summary>
    public string Name => Email.Length > 0 ? Email : Id;
}
