using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiCodex.Control.V1;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.FrontDoor;
using MultiCodex.Edge.Health;
using MultiCodex.Edge.Leasing;
using MultiCodex.Edge.Models;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.Proxying;
using MultiCodex.Edge.Upstream;
using MultiCodex.Hosting;
using Prometheus;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

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
        builder.Services.AddGrpcClient<HealthClient>(o => o.Address = options.ControlUrl);
        builder.Services.AddGrpcClient<LeaseService.LeaseServiceClient>(o => o.Address = options.ControlUrl);
        builder.Services.AddGrpcClient<ApiKeyService.ApiKeyServiceClient>(o => o.Address = options.ControlUrl);
        builder.Services.AddSingleton<ControlClient>();
        builder.Services.AddSingleton<ClientKeyGate>().AddHostedService(sp => sp.GetRequiredService<ClientKeyGate>());
        builder.Services.AddSingleton<UpstreamClient>();
        builder.Services.AddSingleton<OutcomeReporter>();
        builder.Services.AddSingleton<UpstreamDispatcher>();
        builder.Services.AddSingleton<ModelsEndpoint>();
        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddHostedService<OutcomeDrain>();
        builder.Services.AddFrontDoor(options);
        builder.Services.AddFrontDoorSecurity(options, builder.Configuration);

        var app = builder.Build();
        app.UseFrontDoorSecurity();
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.MapV1();
        app.MapReverseProxy();
        return app;
    }
}
