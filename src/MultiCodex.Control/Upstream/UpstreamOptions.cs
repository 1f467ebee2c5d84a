using System.ComponentModel.DataAnnotations;
using MultiCodex.Pool;

namespace MultiCodex.Control.Upstream;

/// <summary>Where the ChatGPT backend and its OAuth issuer are, and how Control introduces itself to them.</summary>
public sealed class UpstreamOptions
{
    /// <summary>Base of the ChatGPT backend (env <c>CHATGPT_BASE_URL</c>; default https://chatgpt.com/backend-api).</summary>
    [Required]
    public Uri ChatGptBaseUrl { get; set; } = new("https://chatgpt.com/backend-api");

    /// <summary>The OAuth issuer (env <c>OAUTH_ISSUER</c>; default https://auth.openai.com).</summary>
    [Required]
    public Uri OAuthIssuer { get; set; } = new("https://auth.openai.com");

    /// <summary>The public OAuth client (env <c>OAUTH_CLIENT_ID</c>; default the Codex CLI's).</summary>
    [Required]
    public string OAuthClientId { get; set; } = "app_EMoamEEZ73f0CkXaXp7hrann";

    /// <summary>Where the issuer sends the browser back (env <c>OAUTH_REDIRECT_URI</c>); must be registered for the client.</summary>
    [Required]
    public Uri OAuthRedirectUri { get; set; } = new("http://localhost:1455/auth/callback");

    /// <summary>Scopes requested at sign-in (env <c>OAUTH_SCOPE</c>).</summary>
    [Required]
    public string OAuthScope { get; set; } = "openid profile email offline_access";

    /// <summary>How long a started sign-in may be completed (env <c>OAUTH_FLOW_TTL_SECONDS</c>; default 15 minutes).</summary>
    public TimeSpan OAuthFlowLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The <c>originator</c> header and authorize parameter, as the Codex CLI sends it.</summary>
    public string Originator { get; set; } = CodexPersona.Originator;

    /// <summary>User-Agent for calls to the issuer and the backend.</summary>
    public string UserAgent { get; set; } = CodexPersona.UserAgent;

    /// <summary>Timeout of one upstream call from Control (env <c>UPSTREAM_TIMEOUT_SECONDS</c>; default 20 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}
