using Google.Protobuf.Reflection;
using Microsoft.Extensions.Options;
using MultiCodex.Hosting;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
using MultiCodex.Control.OAuth;
using MultiCodex.Control.Upstream;
using MultiCodex.Control.Usage;
using MultiCodex.Control.Webhooks;

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

        builder.Services.AddPublicEnvironmentOptions();
        var options = new ControlOptions();
        PublicEnvironment.Bind(options, builder.Configuration);

        // One cleartext port for HTTP/2 (native gRPC from the Edge and automation, everything the Edge forwards)
        // and HTTP/1.1 (curl, Prometheus' /metrics, health probes).
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            // h2c requests carry ":scheme http" on what the sniffer made look like a TLS connection.
            kestrel.AllowAlternateSchemes = true;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseCleartextHttp2Sniffing());
        });
        builder.WebHost.UseUrls(options.ListenUrl);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddControlSecurity(options, builder.Configuration);
        builder.Services.AddSingleton<DataDirectory>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<AdminTokenInterceptor>();
            o.Interceptors.Add<StorageFaultInterceptor>();
            o.MaxReceiveMessageSize = (int)Math.Min(options.MaxRequestBodyBytes, int.MaxValue);
        }).AddJsonTranscoding(o =>
        {
            o.JsonSettings.WriteInt64sAsStrings = true;
            // Error details (ControlErrors) are packed in Any; REST needs their descriptors to write them.
            o.TypeRegistry = TypeRegistry.FromMessages(ErrorInfo.Descriptor, BadRequest.Descriptor);
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o => o.Services.Map("", _ => true))
            .AddCheck("accounts", () => HealthCheckResult.Healthy("accounts.json loaded"));
        builder.Services.AddAccounts();
        builder.Services.AddEvents();
        builder.Services.AddWebhooks();
        builder.Services.AddUpstream();
        builder.Services.AddPool();
        builder.Services.AddHistory();
        builder.Services.AddApiKeys();
        builder.Services.AddHostedService<AccountStoreFlusher>();

        var app = builder.Build();
        app.UseControlSecurity();
        app.UseRequestSizeLimit();
        app.UseRestBodyDefaults();
        app.UseGrpcRequestValidation(options.MaxRequestBodyBytes);
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<AccountGrpcService>();
        app.MapGrpcService<OAuthGrpcService>();
        app.MapGrpcService<UsageGrpcService>();
        app.MapGrpcService<PoolGrpcService>();
        app.MapGrpcService<ApiKeyGrpcService>();
        app.MapGrpcService<EventGrpcService>();
        app.MapGrpcService<WebhookGrpcService>();
        app.MapGrpcService<KeyUsageGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        app.MapControlMetrics();
        app.MapAdminFallback();

        // Load accounts.json now, so that a damaged file stops the start with a message instead of a later 500.
        // Validate options and load the data files now, so that a bad value or a damaged file stops the start
        // with a message instead of a later 500.
        _ = app.Services.GetRequiredService<IOptions<ControlOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<UsageOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<PoolOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        _ = app.Services.GetRequiredService<AccountStore>();
        _ = app.Services.GetRequiredService<OAuthFlowStore>();
        _ = app.Services.GetRequiredService<ApiKeyStore>();
        _ = app.Services.GetRequiredService<WebhookStore>();
        _ = app.Services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        _ = app.Services.GetRequiredService<HistoryDatabase>();
        _ = app.Services.GetRequiredService<UsageHistory>();
        return app;
    }
}
