using Microsoft.Extensions.Options;
using MultiCodex.Control.History;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Upstream;
using MultiCodex.Control.Usage;
using MultiCodex.Control.Webhooks;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// The one place that maps the public environment names of README.md's configuration table (ADMIN_TOKEN, DATA_DIR, …)
/// onto options. The names are read from configuration, so the environment, command-line switches and tests
/// all reach them. A value that cannot work stops the start with a message naming the variable.
/// </summary>
internal static class PublicEnvironment
{
    public static IServiceCollection AddPublicEnvironmentOptions(this IServiceCollection services)
    {
        services.AddOptions<ControlOptions>().Configure<IConfiguration>(Bind).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UpstreamOptions>().Configure<IConfiguration>(Bind).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UsageOptions>().Configure<IConfiguration>(Bind).ValidateOnStart();
        services.AddOptions<PoolOptions>().Configure<IConfiguration>(Bind).ValidateOnStart();
        services.AddOptions<WebhookOptions>().Configure<IConfiguration>(Bind).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HistoryOptions>().Configure<IConfiguration>(Bind).ValidateOnStart();
        return services;
    }

    public static void Bind(ControlOptions options, IConfiguration config)
    {
        options.AdminToken = Text(config, "ADMIN_TOKEN") ?? options.AdminToken;
        options.DataDir = Text(config, "DATA_DIR") ?? options.DataDir;
        options.ListenUrl = Text(config, "CONTROL_URL") ?? options.ListenUrl;
        options.MaxRequestBodyBytes = Number(config, "CONTROL_MAX_BODY_BYTES") ?? options.MaxRequestBodyBytes;
    }

    public static void Bind(UpstreamOptions options, IConfiguration config)
    {
        options.ChatGptBaseUrl = Url(config, "CHATGPT_BASE_URL") ?? options.ChatGptBaseUrl;
        options.OAuthIssuer = Url(config, "OAUTH_ISSUER") ?? options.OAuthIssuer;
        options.OAuthClientId = Text(config, "OAUTH_CLIENT_ID") ?? options.OAuthClientId;
        options.OAuthRedirectUri = Url(config, "OAUTH_REDIRECT_URI") ?? options.OAuthRedirectUri;
        options.OAuthScope = Text(config, "OAUTH_SCOPE") ?? options.OAuthScope;
        options.OAuthFlowLifetime = Seconds(config, "OAUTH_FLOW_TTL_SECONDS") ?? options.OAuthFlowLifetime;
        options.Timeout = Seconds(config, "UPSTREAM_TIMEOUT_SECONDS") ?? options.Timeout;
    }

    public static void Bind(UsageOptions options, IConfiguration config)
    {
        options.RefreshInterval = Seconds(config, "USAGE_REFRESH_SECONDS") ?? options.RefreshInterval;
    }

    public static void Bind(PoolOptions options, IConfiguration config)
    {
        options.FallbackCooldown = Seconds(config, "BLOCK_FALLBACK_SECONDS") ?? options.FallbackCooldown;
        options.StickyIdle = Seconds(config, "STICKY_SESSION_IDLE_SECONDS") ?? options.StickyIdle;
    }

    public static void Bind(WebhookOptions options, IConfiguration config)
    {
        options.Timeout = Seconds(config, "WEBHOOK_TIMEOUT_SECONDS") ?? options.Timeout;
        options.MaxAttempts = Number(config, "WEBHOOK_MAX_ATTEMPTS") is { } attempts ? (int)Math.Min(attempts, int.MaxValue) : options.MaxAttempts;
    }

    public static void Bind(HistoryOptions options, IConfiguration config)
    {
        if (Number(config, "HISTORY_RETENTION_DAYS") is { } days)
        {
            options.Retention = days is >= 1 and <= 3650 ? TimeSpan.FromDays(days)
                : throw new OptionsValidationException("HISTORY_RETENTION_DAYS", typeof(long), ["HISTORY_RETENTION_DAYS must be 1 to 3650 (days), not '" + days + "'."]);
        }
    }

    public static string? Text(IConfiguration config, string name) =>
        string.IsNullOrWhiteSpace(config[name]) ? null : config[name]!.Trim();

    private static long? Number(IConfiguration config, string name) =>
        Text(config, name) is not { } text ? null
        : long.TryParse(text, out var value) && value >= 0 ? value
        : throw new OptionsValidationException(name, typeof(long), [$"{name} must be a whole number ≥ 0, not '{text}'."]);

    private static TimeSpan? Seconds(IConfiguration config, string name) =>
        Number(config, name) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private static Uri? Url(IConfiguration config, string name) =>
        Text(config, name) is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new OptionsValidationException(name, typeof(Uri), [$"{name} must be an absolute http(s) URL, not '{text}'."]);
}
