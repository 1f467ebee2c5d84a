using Google.Protobuf.Reflection;
using Google.Rpc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.Events;
using MultiCodex.Control.History;
using MultiCodex.Control.OAuth;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Usage;
using MultiCodex.Control.Webhooks;
using MultiCodex.Control.WebSocketSessions;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>Control's API: the gRPC services, their JSON transcoding into /admin/*, and gRPC-Web for the dashboard.</summary>
internal static class ControlGrpc
{
    /// <summary>gRPC with the admin-token and storage-fault interceptors, REST transcoding, reflection and health.</summary>
    public static IServiceCollection AddControlGrpc(this IServiceCollection services, ControlOptions options)
    {
        services.AddGrpc(o =>
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
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(o => o.Services.Map("", _ => true))
            .AddCheck("accounts", () => HealthCheckResult.Healthy("accounts.json loaded"));
        return services;
    }

    /// <summary>
    /// Every service of protos/, over gRPC, gRPC-Web and (where the proto has an HTTP rule) REST. Which of them the
    /// front door and browsers may reach is decided by the security middleware, not here.
    /// </summary>
    public static WebApplication MapControlApi(this WebApplication app)
    {
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<AccountGrpcService>();
        app.MapGrpcService<OAuthGrpcService>();
        app.MapGrpcService<UsageGrpcService>();
        app.MapGrpcService<PoolGrpcService>();
        app.MapGrpcService<ApiKeyGrpcService>();
        app.MapGrpcService<EventGrpcService>();
        app.MapGrpcService<WebhookGrpcService>();
        app.MapGrpcService<KeyUsageGrpcService>();
        app.MapGrpcService<WebSocketSessionGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
