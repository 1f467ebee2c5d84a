using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Hosting;

/// <summary>A setting that cannot work, or must not run as it is; the message says what to do (exit code 2).</summary>
public sealed class StartupRefusedException(string message) : Exception(message);

/// <summary>What Control and the Edge set up alike: log format, the admin-token rule, and one-line start failures.</summary>
public static class ServiceDefaults
{
    /// <summary>The placeholder an older compose file put in ADMIN_TOKEN; it protects nothing.</summary>
    public const string PlaceholderToken = "change-me";

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
        builder.Services.AddStartupLogFilter();
    }

    /// <summary>
    /// Refuses to run an admin API that anyone on the network could use: listening beyond loopback needs an
    /// ADMIN_TOKEN of the operator's own. A generated token would not do: the Edge and Control (separate containers)
    /// must share it, and the operator must know it to use the dashboard.
    /// </summary>
    /// <param name="adminToken">ADMIN_TOKEN.</param>
    /// <param name="bindHost">The address the service listens on.</param>
    /// <param name="setting">Where that address comes from, for the message (<c>HOST=0.0.0.0</c>).</param>
    public static void RequireAdminTokenBeyondLoopback(string? adminToken, string bindHost, string setting)
    {
        if (HostNames.IsLoopback(bindHost))
        {
            return;
        }
        if (string.IsNullOrWhiteSpace(adminToken))
        {
            throw new StartupRefusedException(
                $"ADMIN_TOKEN is not set and this service listens beyond loopback ({setting}), where anyone who reaches it could take the ChatGPT sessions. " +
                "Set ADMIN_TOKEN to a secret of your own, the same for Control and the Edge, e.g. ADMIN_TOKEN=$(openssl rand -hex 24).");
        }
        if (adminToken.Trim() == PlaceholderToken)
        {
            throw new StartupRefusedException(
                $"ADMIN_TOKEN is the placeholder '{PlaceholderToken}' and this service listens beyond loopback ({setting}). " +
                "Set a secret of your own, the same for Control and the Edge, e.g. ADMIN_TOKEN=$(openssl rand -hex 24).");
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
            or StartupRefusedException || e.GetType().Name == "OptionsException")
        {
            Console.Error.WriteLine($"{service}: cannot start: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Runs the app until it stops (exit code 0). A port that cannot be bound (in use, not a local address, not
    /// permitted) is reported in one line with exit code 2, within the second it takes to try.
    /// </summary>
    /// <param name="service">The process name for the message.</param>
    /// <param name="settings">The variables that choose the address, for the message (<c>PORT and HOST</c>).</param>
    public static async Task<int> RunOrExplainAsync(this WebApplication app, string service, string settings)
    {
        try
        {
            // Tried before anything starts (background work, calls to Control), so a busy port is all there is to say.
            // UseUrls keeps them in configuration until the server starts.
            foreach (var url in (app.Configuration[Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                EnsureCanListen(url);
            }
            await app.RunAsync();
            return 0;
        }
        catch (IOException e) when (IsBindFailure(e))
        {
            var address = System.Text.RegularExpressions.Regex.Match(e.Message, @"^Failed to bind to address (?<address>\S+?)[:.]?(\s|$)") is { Success: true } match
                ? match.Groups["address"].Value
                : "its address";
            var reason = e.GetBaseException().Message.TrimEnd('.').ToLowerInvariant();
            Console.Error.WriteLine($"{service}: cannot start: cannot listen on {address}: {reason}. Choose a free local address with {settings}.");
            return 2;
        }
    }

    // Binds and releases the address the way Kestrel will (SO_REUSEADDR), failing the way Kestrel would.
    private static void EnsureCanListen(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) || uri.Port == 0)
        {
            return;
        }
        var host = uri.Host.Trim('[', ']');
        System.Net.IPAddress[] addresses = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? [System.Net.IPAddress.Loopback]
            : System.Net.IPAddress.TryParse(host, out var ip) ? [ip] : [System.Net.IPAddress.Any];
        foreach (var address in addresses)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(new System.Net.IPEndPoint(address, uri.Port));
            }
            catch (SocketException e)
            {
                throw new IOException($"Failed to bind to address {uri.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
            }
        }
    }

    /// <summary>True for Kestrel's "Failed to bind to address" (port in use, address not local, not permitted).</summary>
    public static bool IsBindFailure(Exception? e) =>
        e is IOException && (e.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal)
            || e.InnerException is SocketException or Microsoft.AspNetCore.Connections.AddressInUseException);
}
