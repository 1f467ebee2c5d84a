namespace MultiCodex.Control.Accounts;

/// <summary>
/// The outcome of adding a sign-in: the account (new, renewed, or left as it was because its stored tokens are
/// newer), or why the tokens were refused.
/// </summary>
public sealed record SignInResult(AccountRecord? Account, UpsertOutcome? Outcome, string? Error)
{
    public bool Created => Outcome == UpsertOutcome.Created;

    public bool TokensKept => Outcome == UpsertOutcome.KeptNewerTokens;

    public static SignInResult Failed(string error) => new(null, null, error);
}

/// <summary>Turns a ChatGPT sign-in's tokens (from OAuth, a pasted auth.json or raw tokens) into a stored account.</summary>
public sealed class AccountSignIns(AccountStore store, TimeProvider time)
{
    /// <summary>
    /// Stores the sign-in. With <paramref name="renewAccountId"/> ("Sign in again" on that account) the sign-in must
    /// be that account's ChatGPT account and user: a different one is refused rather than added beside it.
    /// </summary>
    public async Task<SignInResult> AddTokensAsync(string accessToken, string refreshToken, string? idToken, string? label = null,
        int? priority = null, string? renewAccountId = null)
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
        if (renewAccountId is not null && RenewRefusal(renewAccountId, identity) is { } refusal)
        {
            return SignInResult.Failed(refusal);
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
        var (account, outcome) = await store.UpsertAsync(candidate);
        return new SignInResult(account, outcome, null);
    }

    public Task<SignInResult> AddAuthJsonAsync(string authJson, string? label = null, int? priority = null)
    {
        var tokens = AuthJson.TryParse(authJson, out var error);
        return tokens is { } t
            ? AddTokensAsync(t.AccessToken, t.RefreshToken, t.IdToken, label, priority)
            : Task.FromResult(SignInResult.Failed(error));
    }

    private string? RenewRefusal(string renewAccountId, SignInIdentity identity)
    {
        var target = store.Find(renewAccountId);
        if (target is null)
        {
            return "The account this sign-in was to renew no longer exists; add the account from Add account instead.";
        }
        if (AccountStore.IsSameSignIn(target, identity.ChatGptAccountId, identity.ChatGptUserId, identity.Email))
        {
            return null;
        }
        var signedIn = identity.Email is { Length: > 0 } email ? email : "another ChatGPT account";
        return $"Signed in as {signedIn}, but this sign-in renews {Describe(target)}, a different ChatGPT account (or workspace). "
            + $"Sign in as {Describe(target)} to renew it, or add {signedIn} from Add account.";
    }

    private static string Describe(AccountRecord account) => account.Email is { Length: > 0 } email ? email : account.Label;
}
