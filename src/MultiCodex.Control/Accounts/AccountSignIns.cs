namespace MultiCodex.Control.Accounts;

/// <summary>The outcome of adding a sign-in: the account, or why the tokens were refused.</summary>
public sealed record SignInResult(AccountRecord? Account, bool Created, string? Error)
{
    public static SignInResult Failed(string error) => new(null, false, error);
}

/// <summary>Turns a ChatGPT sign-in's tokens (from OAuth, a pasted auth.json or raw tokens) into a stored account.</summary>
public sealed class AccountSignIns(AccountStore store, TimeProvider time)
{
    public async Task<SignInResult> AddTokensAsync(string accessToken, string refreshToken, string? idToken, string? label = null, int? priority = null)
    {
        if (string.IsNullOrWhiteSpace(accessToken) || string.IsNullOrWhiteSpace(refreshToken))
        {
            return SignInResult.Failed("Both an access token and a refresh token are required.");
        }
        var identity = TokenClaims.TryRead(accessToken, idToken, out var error);
        if (identity is null)
        {
            return SignInResult.Failed(error);
        }

        var now = time.GetUtcNow();
        var candidate = new AccountRecord
        {
            Id = AccountStore.NewId(),
            Email = identity.Email,
            Label = string.IsNullOrWhiteSpace(label) ? (identity.Email is { Length: > 0 } email ? email : identity.ChatGptAccountId) : label.Trim(),
            Priority = priority ?? 0,
            PlanType = identity.PlanType,
            ChatGptAccountId = identity.ChatGptAccountId,
            ChatGptUserId = identity.ChatGptUserId,
            Tokens = new StoredTokens
            {
                AccessToken = accessToken.Trim(),
                RefreshToken = refreshToken.Trim(),
                IdToken = idToken?.Trim(),
                AccessTokenExpiresAt = identity.AccessTokenExpiresAt,
                LastRefresh = now,
            },
            CreatedAt = now,
            UpdatedAt = now,
        };
        var (account, created) = await store.UpsertAsync(candidate);
        return new SignInResult(account, created, null);
    }

    public Task<SignInResult> AddAuthJsonAsync(string authJson, string? label = null, int? priority = null)
    {
        var tokens = AuthJson.TryParse(authJson, out var error);
        return tokens is { } t
            ? AddTokensAsync(t.AccessToken, t.RefreshToken, t.IdToken, label, priority)
            : Task.FromResult(SignInResult.Failed(error));
    }
}
