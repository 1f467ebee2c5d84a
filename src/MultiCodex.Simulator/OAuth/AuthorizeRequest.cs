using Microsoft.AspNetCore.WebUtilities;

namespace MultiCodex.Simulator.OAuth;

/// <summary>The parameters of <c>/oauth/authorize</c> (codex `codex-rs/login/src/server.rs`, `build_authorize_url`), from the query (GET) or the
/// sign-in form (POST). Unknown extras (scope, originator, id_token_add_organizations, …) are accepted and ignored.</summary>
internal sealed record AuthorizeRequest(
    string? ResponseType,
    string? ClientId,
    string? RedirectUri,
    string? Scope,
    string? CodeChallenge,
    string? CodeChallengeMethod,
    string? State,
    string? LoginHint)
{
    public static AuthorizeRequest From(Func<string, string?> get) => new(
        get("response_type"),
        get("client_id"),
        get("redirect_uri"),
        get("scope"),
        get("code_challenge"),
        get("code_challenge_method"),
        get("state"),
        get("login_hint"));

    /// <summary>Errors that must not be redirected (the redirect target itself is untrusted), per RFC 6749 §4.1.2.1.</summary>
    public string? FatalError(FakeChatGptOptions options) =>
        ClientId != options.ClientId ? "Unknown client_id."
        : RedirectUri is null || !options.AllowedRedirectUris.Contains(RedirectUri, StringComparer.Ordinal) ? "redirect_uri is not allowed for this client."
        : null;

    /// <summary>Errors reported to the client through the redirect as <c>error=invalid_request</c>.</summary>
    public string? RedirectableError() =>
        ResponseType != "code" ? "response_type must be 'code'."
        : string.IsNullOrEmpty(CodeChallenge) ? "code_challenge is required."
        : CodeChallengeMethod != "S256" ? "code_challenge_method must be 'S256'."
        : string.IsNullOrEmpty(State) ? "state is required."
        : null;

    public string Redirect(params (string Key, string? Value)[] parameters)
    {
        var query = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value));
        return QueryHelpers.AddQueryString(RedirectUri!, query);
    }

    /// <summary>The fields the sign-in form carries along as hidden inputs.</summary>
    public IEnumerable<(string Name, string? Value)> HiddenFields() =>
    [
        ("response_type", ResponseType),
        ("client_id", ClientId),
        ("redirect_uri", RedirectUri),
        ("scope", Scope),
        ("code_challenge", CodeChallenge),
        ("code_challenge_method", CodeChallengeMethod),
        ("state", State),
    ];
}
