namespace MultiCodex.Control.Accounts;

/// <summary>One account as Control stores it in accounts.json. Immutable: every change makes a new record.</summary>
public sealed record AccountRecord
{
    public required string Id { get; init; }
    public required string Email { get; init; }
    public required string Label { get; init; }
    public int Priority { get; init; }
    public bool Enabled { get; init; } = true;
    public string? PlanType { get; init; }
    public required string ChatGptAccountId { get; init; }
    public string? ChatGptUserId { get; init; }
    public required StoredTokens Tokens { get; init; }
    public AccountBlock? Block { get; init; }
    public string? ReauthReason { get; init; }
    public AccountUsageSnapshot? Usage { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>True when the block is still in force at <paramref name="now"/>; a block ends by itself.</summary>
    public bool IsBlockedAt(DateTimeOffset now) => Block is { } block && block.Until > now;
}

/// <summary>The token set of a sign-in. The refresh token is single-use upstream.</summary>
public sealed record StoredTokens
{
    public required string AccessToken { get; init; }
    public required string RefreshToken { get; init; }
    public string? IdToken { get; init; }
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }
    public DateTimeOffset LastRefresh { get; init; }

    // Records print every property; tokens must never reach a log line or an exception message.
    public override string ToString() => $"StoredTokens {{ LastRefresh = {LastRefresh:u} }}";
}

/// <summary>A quota block: the account is not selected until <see cref="Until"/>.</summary>
public sealed record AccountBlock(DateTimeOffset Until, string Reason);
