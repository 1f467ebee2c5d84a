using Microsoft.Extensions.DependencyInjection.Extensions;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.Events;
using MultiCodex.Control.History;
using MultiCodex.Control.Infrastructure;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.Infrastructure.Security;
using MultiCodex.Control.Infrastructure.Storage;
using MultiCodex.Control.Observability;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Upstream;
using MultiCodex.Control.Webhooks;
using MultiCodex.Hosting;

namespace MultiCodex.Control;

/// <summary>Composes the Control service; Program.cs runs it and tests start it on a free loopback port.</summary>
public static class ControlApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        builder.AddMultiCodexLogging();
        builder.AddControlTelemetry();

        // Options: the public environment names, bound here and validated once at the end (ValidateOptionsAndLoadState).
        builder.Services.AddPublicEnvironmentOptions();
        var options = new ControlOptions();
        PublicEnvironment.Bind(options, builder.Configuration);
        builder.WebHost.UseControlListener(options);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddControlSecurity(options, builder.Configuration);
        builder.Services.AddSingleton<DataDirectory>();
        builder.Services.AddControlGrpc(options);
        builder.Services.AddAccounts();
        builder.Services.AddEvents();
        builder.Services.AddWebhooks();
        builder.Services.AddUpstream();
        builder.Services.AddPool();
        builder.Services.AddHistory();
        builder.Services.AddApiKeys();
        builder.Services.AddControlMetrics();

        var app = builder.Build();
        app.UseControlSecurity();
        app.UseRequestSizeLimit();
        app.UseRestBodyDefaults();
        app.UseGrpcRequestValidation(options.MaxRequestBodyBytes);
        app.MapControlApi();
        app.MapControlMetrics();
        app.MapAdminFallback();
        return app.ValidateOptionsAndLoadState();
    }
}
