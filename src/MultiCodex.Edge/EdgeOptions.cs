namespace MultiCodex.Edge;

/// <summary>Settings of the Edge, read from their public environment names (README, Configuration).</summary>
public sealed class EdgeOptions
{
    /// <summary>The front door's port (env <c>PORT</c>; default 4010).</summary>
    public int Port { get; set; } = 4010;

    /// <summary>The address the front door binds (env <c>HOST</c>; default 127.0.0.1, containers use 0.0.0.0).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Where Control answers gRPC (env <c>CONTROL_URL</c>; default http://127.0.0.1:4011).</summary>
    public Uri ControlUrl { get; set; } = new("http://127.0.0.1:4011");

    /// <summary>Where the dashboard's Next.js server answers (env <c>DASHBOARD_URL</c>; default http://127.0.0.1:4012).</summary>
    public Uri DashboardUrl { get; set; } = new("http://127.0.0.1:4012");

    /// <summary>The admin token the Edge presents to Control for its own calls (env <c>ADMIN_TOKEN</c>).</summary>
    public string? AdminToken { get; set; }

    /// <summary>Base of the ChatGPT backend (env <c>CHATGPT_BASE_URL</c>; default https://chatgpt.com/backend-api).</summary>
    public Uri ChatGptBaseUrl { get; set; } = new("https://chatgpt.com/backend-api");

    /// <summary>Largest /v1 request body, after decompression (env <c>MAX_REQUEST_BODY_BYTES</c>; default 32 MiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>How long the upstream may take to start answering (env <c>UPSTREAM_TIMEOUT_SECONDS</c>; default 120 s).</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long the upstream may take, after its response headers, to send its first event (env
    /// <c>FIRST_EVENT_TIMEOUT_SECONDS</c>; default 20 s). Past it the attempt fails as transient and another account
    /// is tried, at most twice per request (then 504), so a client hears something well inside the SDKs' own timeouts.
    /// </summary>
    public TimeSpan FirstEventTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a stream may stay silent before it counts as dropped (env <c>STREAM_IDLE_TIMEOUT_SECONDS</c>; default 300 s, as the Codex CLI).</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How many accounts one request may try before giving up (env <c>MAX_ACCOUNT_ATTEMPTS</c>; default 5).</summary>
    public int MaxAccountAttempts { get; set; } = 5;

    /// <summary>
    /// How many reports (outcomes, answers, bindings) the Edge keeps for Control while it is away; past it the oldest
    /// are dropped and counted (env <c>REPORT_QUEUE_CAPACITY</c>; default 100,000 — about a minute of heavy traffic).
    /// </summary>
    public int ReportQueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// Whether <c>GET /v1/responses</c> takes the Responses WebSocket (env <c>RESPONSES_WEBSOCKETS</c>, <c>on</c> or
    /// <c>off</c>; default on). Off, the upgrade is answered <c>426</c> at once, on which the Codex CLI uses HTTP.
    /// </summary>
    public bool ResponsesWebSockets { get; set; } = true;

    /// <summary>
    /// Age at which an upstream WebSocket is replaced, at the next response boundary (env
    /// <c>RESPONSES_WEBSOCKET_MAX_AGE_SECONDS</c>; default 3300 s = 55 min; the upstream cuts its sockets at 60 min).
    /// </summary>
    public TimeSpan UpstreamSocketMaxAge { get; set; } = TimeSpan.FromMinutes(55);

    /// <summary>
    /// Memory all WebSocket transcripts of this Edge may hold together (env <c>RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES</c>;
    /// default 256 MiB); one socket's is also bounded by <see cref="MaxRequestBodyBytes"/>. A socket whose transcript
    /// does not fit loses it until its next full request, and a failover then asks its client to resend the history.
    /// </summary>
    public long TranscriptBudgetBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Memory for the responses kept so that <c>previous_response_id</c> works over HTTP (env
    /// <c>RESPONSE_STORE_MAX_BYTES</c>; default 64 MiB; 0 keeps none and refuses every continuation).
    /// </summary>
    public long ResponseStoreMaxBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long a served response can be continued with <c>previous_response_id</c> (env <c>RESPONSE_STORE_MAX_AGE_SECONDS</c>; default 24 h, at most 30 days).</summary>
    public TimeSpan ResponseStoreMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long in-flight streams may take to finish when the Edge is asked to stop (env <c>SHUTDOWN_DRAIN_SECONDS</c>; default 30 s).</summary>
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Maps the public environment names onto the options; the one place that knows them.</summary>
    public static EdgeOptions FromConfiguration(IConfiguration config)
    {
        var options = new EdgeOptions();
        if (NonEmpty(config["PORT"]) is { } port)
        {
            options.Port = int.TryParse(port, out var number) && number is >= 0 and <= 65535
                ? number
                : throw new OptionsException($"PORT must be a port number (0–65535), not '{port}'.");
        }
        options.Host = NonEmpty(config["HOST"]) ?? options.Host;
        options.ControlUrl = UrlOf(config, "CONTROL_URL") ?? options.ControlUrl;
        options.DashboardUrl = UrlOf(config, "DASHBOARD_URL") ?? options.DashboardUrl;
        options.AdminToken = NonEmpty(config["ADMIN_TOKEN"]);
        options.ChatGptBaseUrl = UrlOf(config, "CHATGPT_BASE_URL") ?? options.ChatGptBaseUrl;
        options.MaxRequestBodyBytes = Number(config, "MAX_REQUEST_BODY_BYTES", 1024) ?? options.MaxRequestBodyBytes;
        options.UpstreamTimeout = Seconds(config, "UPSTREAM_TIMEOUT_SECONDS") ?? options.UpstreamTimeout;
        options.FirstEventTimeout = Seconds(config, "FIRST_EVENT_TIMEOUT_SECONDS") ?? options.FirstEventTimeout;
        options.StreamIdleTimeout = Seconds(config, "STREAM_IDLE_TIMEOUT_SECONDS") ?? options.StreamIdleTimeout;
        options.MaxAccountAttempts = (int?)Number(config, "MAX_ACCOUNT_ATTEMPTS", 1) ?? options.MaxAccountAttempts;
        options.ShutdownDrain = Seconds(config, "SHUTDOWN_DRAIN_SECONDS") ?? options.ShutdownDrain;
        options.ReportQueueCapacity = (int?)Number(config, "REPORT_QUEUE_CAPACITY", 100, int.MaxValue) ?? options.ReportQueueCapacity;
        options.ResponsesWebSockets = Switch(config, "RESPONSES_WEBSOCKETS") ?? options.ResponsesWebSockets;
        options.UpstreamSocketMaxAge = Number(config, "RESPONSES_WEBSOCKET_MAX_AGE_SECONDS", 1, 3599) is { } socketAge ? TimeSpan.FromSeconds(socketAge) : options.UpstreamSocketMaxAge;
        options.TranscriptBudgetBytes = Number(config, "RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES", 0) ?? options.TranscriptBudgetBytes;
        options.ResponseStoreMaxBytes = Number(config, "RESPONSE_STORE_MAX_BYTES", 0) ?? options.ResponseStoreMaxBytes;
        // At most 30 days: a memory store gains nothing from longer, and the expiry sum must stay a valid date.
        options.ResponseStoreMaxAge = Number(config, "RESPONSE_STORE_MAX_AGE_SECONDS", 1, 30 * 86_400) is { } age ? TimeSpan.FromSeconds(age) : options.ResponseStoreMaxAge;
        return options;
    }

    private static Uri? UrlOf(IConfiguration config, string name) =>
        NonEmpty(config[name]) is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new OptionsException($"{name} must be an absolute http(s) URL, not '{text}'.");

    private static long? Number(IConfiguration config, string name, long minimum, long maximum = long.MaxValue) =>
        NonEmpty(config[name]) is not { } text ? null
        : long.TryParse(text, out var value) && value >= minimum && value <= maximum ? value
        : throw new OptionsException(maximum == long.MaxValue
            ? $"{name} must be a whole number ≥ {minimum}, not '{text}'."
            : $"{name} must be a whole number from {minimum} to {maximum}, not '{text}'.");

    private static TimeSpan? Seconds(IConfiguration config, string name) =>
        Number(config, name, 1) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private static bool? Switch(IConfiguration config, string name) =>
        NonEmpty(config[name])?.ToLowerInvariant() switch
        {
            null => null,
            "on" or "true" or "1" => true,
            "off" or "false" or "0" => false,
            _ => throw new OptionsException($"{name} must be on or off, not '{config[name]}'."),
        };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A configuration value that cannot work; the message says what to fix.</summary>
public sealed class OptionsException(string message) : Exception(message);
