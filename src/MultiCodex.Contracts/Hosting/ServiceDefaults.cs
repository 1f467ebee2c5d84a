using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Hosting;

/// <summary>What Control and the Edge set up alike: log format, and the warnings an operator must not miss.</summary>
public static class ServiceDefaults
{
    /// <summary><c>LOG_FORMAT=json</c> writes one JSON object per log line (for log shippers); the default is plain text.</summary>
    public static void AddMultiCodexLogging(this WebApplicationBuilder builder)
    {
        // Our own lines (one per /v1 request, sign-ins, blocks) at Information; the framework's per-request
        // chatter (two gRPC calls per /v1 request) only when something is wrong.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        if (string.Equals(builder.Configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
    }

    /// <summary>Warns when the admin API is unprotected (no ADMIN_TOKEN, or compose's placeholder) on a non-loopback address.</summary>
    public static void WarnAboutAdminToken(ILogger logger, string? adminToken, string listenHost)
    {
        var loopback = listenHost is "localhost" || (IPAddress.TryParse(listenHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (loopback)
        {
            return;
        }
        if (string.IsNullOrEmpty(adminToken))
        {
            logger.LogWarning("ADMIN_TOKEN is not set and this service listens on {Host}: anyone who can reach it can manage the accounts. Set ADMIN_TOKEN.", listenHost);
        }
        else if (adminToken == "change-me")
        {
            logger.LogWarning("ADMIN_TOKEN is still 'change-me' and this service listens on {Host}: set a secret of your own.", listenHost);
        }
    }

    /// <summary>Runs <paramref name="build"/>; a configuration that cannot work ends the process with its message and exit code 2.</summary>
    public static WebApplication? BuildOrExplain(string service, Func<WebApplication> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or InvalidDataException or ArgumentException
            || e.GetType().Name == "OptionsException")
        {
            Console.Error.WriteLine($"{service}: cannot start: {e.Message}");
            return null;
        }
    }
}
