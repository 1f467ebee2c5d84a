using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.FrontDoor;
using MultiCodex.Edge.Health;
using MultiCodex.Edge.KeyUsage;
using MultiCodex.Edge.Models;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.Proxying;
using MultiCodex.Edge.Upstream;
using MultiCodex.Hosting;
using Prometheus;

namespace MultiCodex.Edge;

/// <summary>Composes the Edge, the one public port; Program.cs runs it and tests start it on a free loopback port.</summary>
public static class EdgeApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        builder.AddMultiCodexLogging();
        var options = EdgeOptions.FromConfiguration(builder.Configuration);

        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // /v1 enforces its own limit on the decompressed body; forwarded routes keep Control's limit.
            k.Limits.MaxRequestBodySize = null;
            // HTTP/1.1 for browsers and most clients, and h2c on the same port so native gRPC clients can use
            // the front door too (forwarded to Control); see CleartextHttp2Sniffer.
            k.AllowAlternateSchemes = true;
            k.ConfigureEndpointDefaults(listen => listen.UseCleartextHttp2Sniffing());
        });
        // SIGTERM: stop taking requests, let streams in flight finish (bounded), then exit.
        builder.WebHost.UseShutdownTimeout(options.ShutdownDrain);

        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccountPool(options);
        builder.Services.AddSingleton<ClientKeyGate>().AddHostedService(sp => sp.GetRequiredService<ClientKeyGate>());
        builder.Services.AddSingleton<UpstreamClient>();
        builder.Services.AddSingleton<UpstreamDispatcher>();
        builder.Services.AddSingleton<ModelsEndpoint>();
        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddFrontDoor(options);
        builder.Services.AddKeyUsage(options);

        var app = builder.Build();
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.Services.AddPoolMetrics();
        app.MapV1();
        app.MapKeyUsage();
        app.MapReverseProxy();
        ServiceDefaults.WarnAboutAdminToken(app.Logger, options.AdminToken, options.Host);
        return app;
    }
}
