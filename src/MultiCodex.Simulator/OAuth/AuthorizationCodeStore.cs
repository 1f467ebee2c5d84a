using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Single-use, expiring authorization codes bound to an account, client, redirect URI and PKCE challenge.</summary>
internal sealed class AuthorizationCodeStore(SimulatorState state)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);

    public string Issue(SimAccount account, string clientId, string redirectUri, string codeChallenge)
    {
        var code = "ac_" + Ids.Base64Url(32);
        lock (_gate)
        {
            _codes[code] = new PendingCode(account, clientId, redirectUri, codeChallenge, state.Now.Add(state.Options.AuthorizationCodeLifetime));
        }

        return code;
    }

    /// <summary>Consumes <paramref name="code"/> (even when a check fails, as real servers do) and returns the account, or an error description.</summary>
    public (SimAccount? Account, string? Error) Redeem(string code, string? clientId, string? redirectUri, string? codeVerifier)
    {
        PendingCode? pending;
        lock (_gate)
        {
            if (_codes.Remove(code, out pending))
            {
                // Keep a tombstone so a replay is told the code was used.
                _codes[code] = pending with { Used = true };
            }
        }

        if (pending is null)
        {
            return (null, "Invalid authorization code.");
        }

        if (pending.Used)
        {
            return (null, "Authorization code has already been used.");
        }

        if (pending.ExpiresAt <= state.Now)
        {
            return (null, "Authorization code has expired.");
        }

        if (clientId is not null && clientId != pending.ClientId)
        {
            return (null, "client_id does not match the authorization request.");
        }

        if (redirectUri != pending.RedirectUri)
        {
            return (null, "redirect_uri does not match the authorization request.");
        }

        if (string.IsNullOrEmpty(codeVerifier) || Ids.S256(codeVerifier) != pending.CodeChallenge)
        {
            return (null, "PKCE verification failed: code_verifier does not match code_challenge.");
        }

        return (pending.Account, null);
    }

    private sealed record PendingCode(SimAccount Account, string ClientId, string RedirectUri, string CodeChallenge, DateTimeOffset ExpiresAt)
    {
        public bool Used { get; init; }
    }
}
