using Grpc.Core;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure.Security;

/// <summary>
/// Who may talk to Control, checked before any request reaches a service (SECURITY.md):
/// 1. host names (DNS rebinding) — loopback names plus ALLOWED_HOSTS, see <see cref="HostNames"/>;
/// 2. browsers from another origin are refused (<see cref="BrowserRequests"/>), whether they come through the Edge
///    (which forwards <c>Origin</c>, <c>Sec-Fetch-*</c> and the host they asked for) or straight to this port;
/// 3. internal methods (<see cref="PublicGrpcApi"/>) are served only as native gRPC on this port, never as gRPC-Web
///    and never when forwarded by an Edge;
/// 4. <c>/metrics</c> needs the admin token like every gRPC call (<see cref="Grpc.AdminTokenInterceptor"/>).
/// Listening beyond loopback without an ADMIN_TOKEN of the operator's own is refused at start.
/// </summary>
internal static class ControlSecurity
{
    public static IServiceCollection AddControlSecurity(this IServiceCollection services, ControlOptions options, IConfiguration configuration)
    {
        var listenHost = new Uri(options.ListenUrl).Host;
        ServiceDefaults.RequireAdminTokenBeyondLoopback(options.AdminToken, listenHost, $"CONTROL_URL={options.ListenUrl}");
        services.AddHostNameFiltering(HostNames.Allowed(listenHost, PublicEnvironment.Text(configuration, HostNames.AllowedHostsVariable)));
        services.AddSingleton(sp => new AdminTokenVerifier(options.AdminToken, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AdminTokenVerifier>>()));
        return services;
    }

    public static IApplicationBuilder UseControlSecurity(this IApplicationBuilder app)
    {
        app.UseHostNameFiltering();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (BrowserRequests.CrossOriginReason(request, allowNavigation: false, trustForwardedHost: true) is { } reason)
            {
                await AdminErrors.WriteAsync(context, StatusCode.PermissionDenied, $"Cross-origin request refused: {reason}.");
                return;
            }
            if (AdminErrors.IsGrpc(request) && !PublicGrpcApi.IsPublic(request.Path.Value) && (IsGrpcWeb(request) || ForwardedByEdge(request)))
            {
                await AdminErrors.WriteAsync(context, StatusCode.PermissionDenied,
                    $"{request.Path} is internal: it is served only as native gRPC on Control's own port.");
                return;
            }
            if (request.Path.Equals("/metrics") && !await AdminTokenGate.AllowAsync(context, acceptBearer: true))
            {
                return;
            }
            await next(context);
        });
        return app;
    }

    private static bool IsGrpcWeb(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) == true;

    // The Edge's forwarder (YARP) sets X-Forwarded-For on everything it forwards; its own calls to Control carry none.
    private static bool ForwardedByEdge(HttpRequest request) => request.Headers.ContainsKey("X-Forwarded-For");
}
