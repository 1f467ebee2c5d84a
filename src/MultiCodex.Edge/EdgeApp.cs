using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.FrontDoor;
using MultiCodex.Edge.Health;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1;
using MultiCodex.Edge.V1.WebSocket;
using MultiCodex.Hosting;
using Prometheus;

namespace MultiCodex.Edge;

/// <summary>Composes the Edge, the one public port; Program.cs runs it and tests start it on a free loopback port.</summary>
public static class EdgeApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings come from the environment; no appsettings file is watched for changes (a thread and an inotify watch less).
        var builder = WebApplication.CreateSlimBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        configure?.Invoke(builder);
        builder.AddMultiCodexLogging();

        // Options: read from the public environment names and checked once; a value that cannot work stops the start.
        var options = EdgeOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.WebHost.UseFrontDoorListener(options);

        // Eager: the pool follows Control's live view (accounts, bindings, key hashes) from start-up.
        builder.Services.AddAccountPool(options);
        builder.Services.AddClientKeys();
        builder.AddObservability();
        builder.Services.AddV1(options);
        builder.Services.AddFrontDoor(options);
        builder.Services.AddFrontDoorSecurity(options, builder.Configuration);

        var app = builder.Build();
        app.UseServerTiming();
        app.UseFrontDoorSecurity();
        app.UseResponsesWebSockets();
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.Services.AddPoolMetrics();
        app.MapV1();
        app.MapReverseProxy();
        return app;
    }
}
