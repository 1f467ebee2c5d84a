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
        lock (_gate)
        {
            return IssueLocked(account, "authsess_" + Ids.Random(24), accessLifetime);
        }
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
    }

    /// <summary>RFC 7009 revocation: a known access or refresh token ends its whole grant. Unknown tokens are ignored.</summary>
    public SimAccount? Revoke(string token)
    {
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
            return rt?.Account ?? _access[token].Account;
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
