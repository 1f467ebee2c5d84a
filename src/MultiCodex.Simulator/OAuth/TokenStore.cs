using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Every token the issuer has handed out, grouped by grant (one login and its refresh chain).
/// One lock keeps rotation atomic: of two concurrent refreshes with the same token exactly one wins.</summary>
internal sealed class TokenStore(SimulatorState state)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AccessRecord> _access = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshRecord> _refresh = new(StringComparer.Ordinal);
    private readonly HashSet<string> _revokedGrants = new(StringComparer.Ordinal);

    public TokenSet IssueNewGrant(SimAccount account, TimeSpan accessLifetime)
    {
        TokenSet tokens;
        lock (_gate)
        {
            tokens = IssueLocked(account, "authsess_" + Ids.Random(24), accessLifetime);
        }

        // On disk before anyone holds the tokens (a restarted fake must still know them).
        state.Persist();
        return tokens;
    }

    public AccessCheck CheckAccessToken(string token)
    {
        lock (_gate)
        {
            if (!_access.TryGetValue(token, out var record))
            {
                return new AccessCheck(null, AccessFailure.Unknown);
            }

            if (_revokedGrants.Contains(record.GrantId))
            {
                return new AccessCheck(record.Account, AccessFailure.Invalidated);
            }

            return record.ForcedExpired || record.ExpiresAt <= state.Now
                ? new AccessCheck(record.Account, AccessFailure.Expired)
                : new AccessCheck(record.Account, AccessFailure.None);
        }
    }

    /// <summary>Redeems a refresh token: rotates it on success, applies a scripted failure otherwise.</summary>
    public RefreshOutcome Refresh(string refreshToken)
    {
        var outcome = RefreshLocked(refreshToken);
        state.Persist();
        return outcome;
    }

    private RefreshOutcome RefreshLocked(string refreshToken)
    {
        lock (_gate)
        {
            if (!_refresh.TryGetValue(refreshToken, out var record))
            {
                return new RefreshOutcome(null, null, RefreshError.Invalidated);
            }

            var account = record.Account;
            account.CountRefreshGrant();
            if (_revokedGrants.Contains(record.GrantId))
            {
                return new RefreshOutcome(account, null, RefreshError.Invalidated);
            }

            if (record.Error is { } dead)
            {
                return new RefreshOutcome(account, null, dead);
            }

            switch (account.DequeueRefreshFailure())
            {
                case RefreshFailure.Expired:
                    record.Error = RefreshError.Expired;
                    return new RefreshOutcome(account, null, RefreshError.Expired);
                case RefreshFailure.Invalidated:
                    _revokedGrants.Add(record.GrantId);
                    return new RefreshOutcome(account, null, RefreshError.Invalidated);
                case RefreshFailure.Reused:
                    record.Error = RefreshError.Reused;
                    return new RefreshOutcome(account, null, RefreshError.Reused);
                case RefreshFailure.InvalidGrant:
                    record.Error = RefreshError.InvalidGrant;
                    return new RefreshOutcome(account, null, RefreshError.InvalidGrant);
                case RefreshFailure.InvalidRefreshToken:
                    record.Error = RefreshError.InvalidRefreshToken;
                    return new RefreshOutcome(account, null, RefreshError.InvalidRefreshToken);
                case RefreshFailure.SignedOutElsewhere:
                    _revokedGrants.Add(record.GrantId);
                    record.Error = RefreshError.SignedOutElsewhere;
                    return new RefreshOutcome(account, null, RefreshError.SignedOutElsewhere);
                case RefreshFailure.ServerError:
                    return new RefreshOutcome(account, null, RefreshError.ServerError);
            }

            record.Error = RefreshError.Reused;
            var tokens = IssueLocked(account, record.GrantId, state.Options.AccessTokenLifetime);
            return new RefreshOutcome(account, tokens, null);
        }
    }

    public void ExpireAccessTokens(SimAccount account)
    {
        lock (_gate)
        {
            foreach (var record in _access.Values.Where(r => r.Account == account))
            {
                record.ForcedExpired = true;
            }
        }

        state.Persist();
    }

    public void RevokeAll(SimAccount account)
    {
        lock (_gate)
        {
            foreach (var record in _access.Values.Where(r => r.Account == account))
            {
                _revokedGrants.Add(record.GrantId);
            }
        }

        state.Persist();
    }

    /// <summary>RFC 7009 revocation: a known access or refresh token ends its whole grant. Unknown tokens are ignored.</summary>
    public SimAccount? Revoke(string token)
    {
        SimAccount account;
        lock (_gate)
        {
            string? grant = _refresh.TryGetValue(token, out var rt) ? rt.GrantId
                : _access.TryGetValue(token, out var at) ? at.GrantId
                : null;
            if (grant is null)
            {
                return null;
            }

            _revokedGrants.Add(grant);
            account = rt?.Account ?? _access[token].Account;
        }

        state.Persist();
        return account;
    }

    /// <summary>Every live token and revoked grant, for the saved state file (accounts by index in <paramref name="accounts"/>).</summary>
    public (List<SavedAccess> Access, List<SavedRefresh> Refresh, List<string> Revoked) Save(IReadOnlyList<SimAccount> accounts)
    {
        lock (_gate)
        {
            int Index(SimAccount account) => accounts.ToList().IndexOf(account);
            return (
                _access.Where(p => p.Value.ExpiresAt > state.Now).Select(p => new SavedAccess(p.Key, Index(p.Value.Account), p.Value.GrantId, p.Value.ExpiresAt, p.Value.ForcedExpired)).ToList(),
                _refresh.Select(p => new SavedRefresh(p.Key, Index(p.Value.Account), p.Value.GrantId, p.Value.Error?.ToString())).ToList(),
                [.. _revokedGrants]);
        }
    }

    public void Restore(SavedState saved, IReadOnlyList<SimAccount> accounts)
    {
        lock (_gate)
        {
            foreach (var access in saved.Access.Where(a => a.Account >= 0 && a.Account < accounts.Count))
            {
                _access[access.Token] = new AccessRecord(accounts[access.Account], access.GrantId, access.ExpiresAt) { ForcedExpired = access.ForcedExpired };
            }

            foreach (var refresh in saved.Refresh.Where(r => r.Account >= 0 && r.Account < accounts.Count))
            {
                _refresh[refresh.Token] = new RefreshRecord(accounts[refresh.Account], refresh.GrantId)
                {
                    Error = Enum.TryParse<RefreshError>(refresh.Error, out var error) ? error : null,
                };
            }

            _revokedGrants.UnionWith(saved.Revoked);
        }
    }

    private TokenSet IssueLocked(SimAccount account, string grantId, TimeSpan accessLifetime)
    {
        var now = state.Now;
        var expiresAt = now.Add(accessLifetime);
        var options = state.Options;
        var access = JwtMinter.AccessToken(account, options, grantId, now, expiresAt);
        var id = JwtMinter.IdToken(account, options, grantId, now);
        var refresh = "rt_" + Ids.Base64Url(48);
        _access[access] = new AccessRecord(account, grantId, expiresAt);
        _refresh[refresh] = new RefreshRecord(account, grantId);
        return new TokenSet(access, refresh, id, expiresAt);
    }

    private sealed class AccessRecord(SimAccount account, string grantId, DateTimeOffset expiresAt)
    {
        public SimAccount Account { get; } = account;

        public string GrantId { get; } = grantId;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool ForcedExpired { get; set; }
    }

    private sealed class RefreshRecord(SimAccount account, string grantId)
    {
        public SimAccount Account { get; } = account;

        public string GrantId { get; } = grantId;

        /// <summary>Set once the token is spent (rotated = Reused) or scripted dead.</summary>
        public RefreshError? Error { get; set; }
    }
}

internal enum AccessFailure
{
    None,
    Unknown,
    Expired,
    Invalidated,
}

internal enum RefreshError
{
    Reused,
    Invalidated,
    Expired,
    InvalidGrant,
    InvalidRefreshToken,
    SignedOutElsewhere,
    ServerError,
}

internal sealed record AccessCheck(SimAccount? Account, AccessFailure Failure);

internal sealed record RefreshOutcome(SimAccount? Account, TokenSet? Tokens, RefreshError? Error);
