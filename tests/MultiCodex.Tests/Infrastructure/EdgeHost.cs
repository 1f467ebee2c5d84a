using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiCodex.Edge;
using MultiCodex.Edge.Pool;

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

    /// <summary>What this Edge logged so far (<see cref="TestLogs"/>: our categories from Debug, the framework's from Warning).</summary>
    public IReadOnlyList<TestLogs.LogLine> Logs => TestLogs.All([LogSource]);

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Waits until this Edge's view of the pool holds everything Control had when called (an account or a block made
    /// through the admin API a moment ago reaches the Edge over Control's stream, a few milliseconds later).
    /// </summary>
    public async Task SyncPoolAsync()
    {
        var watcher = Services.GetRequiredService<PoolWatcher>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await watcher.WaitForViewAsync(TimeSpan.FromSeconds(30), timeout.Token), "The Edge got no view of the pool from Control.");
        var view = Services.GetRequiredService<PoolView>();
        while (true)
        {
            var next = view.NextChange;
            if (await watcher.SyncAsync(timeout.Token))
            {
                return;
            }
            // The stream is between two connections: the full view it brings on reconnecting is what is awaited.
            await next.WaitAsync(timeout.Token);
        }
    }

    /// <summary>Delivers every report this Edge still holds to Control (what the sender does within 200 ms by itself).</summary>
    public async Task FlushReportsAsync() =>
        Assert.True(await Services.GetRequiredService<ReportSender>().FlushAsync(TimeSpan.FromSeconds(30)), "Control did not take the Edge's reports.");

    public static async Task<EdgeHost> StartAsync(Uri controlUrl, string? adminToken = "test-admin-token",
        Uri? dashboardUrl = null, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
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
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
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
