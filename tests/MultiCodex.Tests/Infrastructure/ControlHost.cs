using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiCodex.Control;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>The real Control app on Kestrel, on a free loopback port, with its data in a given folder.</summary>
public sealed class ControlHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlHost(WebApplication app, Uri url, string logSource)
    {
        _app = app;
        LogSource = logSource;
        Url = url;
        Channel = GrpcChannel.ForAddress(url);
    }

    public Uri Url { get; }

    /// <summary>This instance's name in <see cref="TestLogs"/>.</summary>
    public string LogSource { get; }

    /// <summary>A native gRPC (h2c) channel to Control.</summary>
    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ControlHost> StartAsync(string dataDir, string? adminToken = "test-admin-token",
        IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var source = TestLogs.NewSource("control");
        var app = ControlApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CONTROL_URL"] = "http://127.0.0.1:0",
                ["DATA_DIR"] = dataDir,
                ["ADMIN_TOKEN"] = adminToken,
                // Nothing leaves loopback: without a fake upstream, upstream calls fail at once (port 9 is closed).
                ["CHATGPT_BASE_URL"] = "http://127.0.0.1:9/backend-api",
                ["OAUTH_ISSUER"] = "http://127.0.0.1:9",
                // Background probes would change accounts.json under tests that compare it; tests probe on demand.
                ["USAGE_REFRESH_SECONDS"] = "0",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddTestLogs(source);
        });
        await app.StartAsync();
        return new ControlHost(app, ServerAddress.Of(app), source);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
