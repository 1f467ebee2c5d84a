using Microsoft.Extensions.Logging;

namespace MultiCodex.Simulator;

/// <summary>Settings for one <see cref="FakeChatGpt"/> instance. Every property has a working default.</summary>
public sealed class FakeChatGptOptions
{
    /// <summary>The Codex CLI's public OAuth client id, which the real issuer expects.</summary>
    public const string CodexClientId = "app_EMoamEEZ73f0CkXaXp7hrann";

    /// <summary>Clock for token expiry, usage windows, code/flow expiry, WebSocket connection age and the pauses inside
    /// streams (<see cref="ResponseBehavior.Slow"/>, the drop grace). Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Plain-HTTP listen address. Default <c>http://127.0.0.1:0</c> (a free port).</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Also listen with TLS on 127.0.0.1 (a throw-away CA is generated). Default false.</summary>
    public bool EnableTls { get; set; }

    /// <summary>Port for the TLS listener when <see cref="EnableTls"/> is set. Default 0 (a free port).</summary>
    public int TlsPort { get; set; }

    /// <summary>OAuth client id the issuer accepts. Default <see cref="CodexClientId"/>.</summary>
    public string ClientId { get; set; } = CodexClientId;

    /// <summary>Redirect URIs accepted by <c>/oauth/authorize</c> (exact match). Default: the Codex CLI's two callbacks.</summary>
    public List<string> AllowedRedirectUris { get; } =
    [
        "http://localhost:1455/auth/callback",
        "http://localhost:1457/auth/callback",
    ];

    /// <summary>When set to a known account's email, <c>GET /oauth/authorize</c> approves at once. Default null.</summary>
    public string? AutoApproveEmail { get; set; }

    /// <summary>Value of the <c>iss</c> claim in minted JWTs. Default <c>https://auth.openai.com</c>, like the real issuer.</summary>
    public string JwtIssuer { get; set; } = "https://auth.openai.com";

    /// <summary>Access-token lifetime for grants. Default 10 days (the reported real value, <c>expires_in</c> 864000).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromDays(10);

    /// <summary>id_token lifetime. Default 1 hour; clients ignore its expiry.</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an authorization code can be exchanged. Default 5 minutes.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a device code stays usable. Default 15 minutes (the real value).</summary>
    public TimeSpan DeviceCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The <c>interval</c> (seconds, sent as a string) the device flow tells clients to poll at. Default 5.</summary>
    public int DeviceCodePollIntervalSeconds { get; set; } = 5;

    /// <summary>Answer the API-key token-exchange grant with a fake key (true) or a 400 (false). Default true.</summary>
    public bool IssueApiKeys { get; set; } = true;

    /// <summary>Percent added to the 5 h window by each completed response. Default 1.</summary>
    public double PrimaryPercentPerResponse { get; set; } = 1;

    /// <summary>Percent added to the weekly window by each completed response. Default 0.2.</summary>
    public double SecondaryPercentPerResponse { get; set; } = 0.2;

    /// <summary>Answer 429 <c>usage_limit_reached</c> on its own once a window reaches 100 %. Default true.</summary>
    public bool EnforceUsageLimits { get; set; } = true;

    /// <summary>Top-level request fields rejected with <c>{"detail":"Unsupported parameter: X"}</c>.</summary>
    public List<string> UnsupportedParameters { get; } =
        ["max_output_tokens", "temperature", "top_p", "safety_identifier", "context_management"];

    /// <summary>Put the finished items into <c>response.completed.response.output</c>. Default false (real streams may leave it empty).</summary>
    public bool IncludeOutputInCompleted { get; set; }

    /// <summary>The <c>ETag</c> of the models catalog (also sent as <c>x-models-etag</c>). Default a fixed value.</summary>
    public string ModelsEtag { get; set; } = "\"sim-models-1\"";

    /// <summary>Serve the Responses WebSocket on <c>GET /codex/responses</c> (true), or answer the upgrade <c>426</c> so
    /// clients fall back to HTTP at once (false). Default false; changeable at run time through
    /// <see cref="FakeChatGpt.WebSocketsEnabled"/>.</summary>
    public bool EnableWebSockets { get; set; }

    /// <summary>Age after which a WebSocket connection answers every request with
    /// <c>websocket_connection_limit_reached</c> and closes. Default 60 minutes (the real limit).</summary>
    public TimeSpan WebSocketMaxConnectionAge { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>When set, accounts, tokens and the compaction key are loaded from this JSON file at start and written
    /// back to it (atomically) whenever they change, so a restarted fake keeps its accounts and valid tokens. Default null.</summary>
    public string? StateFile { get; set; }

    /// <summary>An email the sign-in pages do not know creates a new account (plan <c>plus</c>) instead of an error. Default false.</summary>
    public bool CreateAccountsOnSignIn { get; set; }

    /// <summary>Optional logging setup (e.g. console for the demo). Default: no logging.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
