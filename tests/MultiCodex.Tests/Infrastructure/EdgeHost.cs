using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiCodex.Edge;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>The real Edge app on Kestrel, on a free loopback port, in front of a given Control.</summary>
public sealed class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EdgeHost(WebApplication app, Uri url, string logSource)
    {
        _app = app;
        LogSource = logSource;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; }

    /// <summary>This instance's name in <see cref="TestLogs"/>.</summary>
    public string LogSource { get; }

    /// <summary>A plain HTTP/1.1 client of the front door.</summary>
    public HttpClient Http { get; }

    public static async Task<EdgeHost> StartAsync(Uri controlUrl, string? adminToken = "test-admin-token",
        Uri? dashboardUrl = null, IDictionary<string, string?>? settings = null)
    {
        var source = TestLogs.NewSource("edge");
        var app = EdgeApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PORT"] = "0",
                ["HOST"] = "127.0.0.1",
                ["CONTROL_URL"] = controlUrl.ToString(),
                ["DASHBOARD_URL"] = (dashboardUrl ?? new Uri("http://127.0.0.1:9")).ToString(),
                ["ADMIN_TOKEN"] = adminToken,
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddTestLogs(source);
        });
        await app.StartAsync();
        return new EdgeHost(app, ServerAddress.Of(app), source);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
