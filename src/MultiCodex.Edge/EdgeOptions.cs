using System.ComponentModel.DataAnnotations;

namespace MultiCodex.Edge;

/// <summary>Settings of the Edge, read from the public environment names in design.md.</summary>
public sealed class EdgeOptions
{
    /// <summary>The front door's port (env <c>PORT</c>; default 4010).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 4010;

    /// <summary>The address the front door binds (env <c>HOST</c>; default 127.0.0.1, containers use 0.0.0.0).</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Where Control answers gRPC (env <c>CONTROL_URL</c>; default http://127.0.0.1:4011).</summary>
    [Required]
    public Uri ControlUrl { get; set; } = new("http://127.0.0.1:4011");

    /// <summary>Where the dashboard's Next.js server answers (env <c>DASHBOARD_URL</c>; default http://127.0.0.1:4012).</summary>
    [Required]
    public Uri DashboardUrl { get; set; } = new("http://127.0.0.1:4012");

    /// <summary>The admin token the Edge presents to Control for its own calls (env <c>ADMIN_TOKEN</c>).</summary>
    public string? AdminToken { get; set; }

    /// <summary>Maps the public environment names onto the options; the one place that knows them.</summary>
    public static EdgeOptions FromConfiguration(IConfiguration config)
    {
        var options = new EdgeOptions();
        if (NonEmpty(config["PORT"]) is { } port)
        {
            options.Port = int.TryParse(port, out var number) ? number : throw new OptionsException($"PORT must be a port number, not '{port}'.");
        }
        options.Host = NonEmpty(config["HOST"]) ?? options.Host;
        options.ControlUrl = UrlOf(config, "CONTROL_URL") ?? options.ControlUrl;
        options.DashboardUrl = UrlOf(config, "DASHBOARD_URL") ?? options.DashboardUrl;
        options.AdminToken = NonEmpty(config["ADMIN_TOKEN"]);
        return options;
    }

    private static Uri? UrlOf(IConfiguration config, string name) =>
        NonEmpty(config[name]) is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new OptionsException($"{name} must be an absolute http(s) URL, not '{text}'.");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A configuration value that cannot work; the message says what to fix.</summary>
public sealed class OptionsException(string message) : Exception(message);
