using HealthClient = Grpc.Health.V1.Health.HealthClient;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiCodex.Edge.FrontDoor;
using MultiCodex.Edge.Health;
using MultiCodex.Edge.OpenAi;

namespace MultiCodex.Edge;

/// <summary>Composes the Edge, the one public port; Program.cs runs it and tests start it on a free loopback port.</summary>
public static class EdgeApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var options = EdgeOptions.FromConfiguration(builder.Configuration);

        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddGrpcClient<HealthClient>(o => o.Address = options.ControlUrl);
        builder.Services.AddFrontDoor(options);

        var app = builder.Build();
        app.MapHealthEndpoints();
        app.Map("/v1/{**rest}", () => OpenAiError.Result(StatusCodes.Status501NotImplemented,
            "The OpenAI-compatible API is not available in this build yet.", "server_error", "not_implemented"));
        app.MapReverseProxy();
        return app;
    }
}
