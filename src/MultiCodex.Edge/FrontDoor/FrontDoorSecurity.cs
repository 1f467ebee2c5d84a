using Grpc.Core;
using MultiCodex.Edge.V1;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Hosting;

namespace MultiCodex.Edge.FrontDoor;

/// <summary>
/// What the one public port checks before it serves or forwards anything (SECURITY.md):
/// 1. host names against DNS rebinding (<see cref="HostNames"/>; not the health probes);
/// 2. requests a browser sends from another origin are refused, on /admin, gRPC(-Web), /metrics, /v1 and the
///    dashboard; a top-level page load of the dashboard still works from a link or a bookmark;
/// 3. header values that HTTP cannot carry on (non-ASCII, control characters) are dropped, so the next hop never
///    refuses the whole request for a decorative header (a 502 that would also count against an account);
/// 4. gRPC methods that are not public (<see cref="PublicGrpcApi"/>) are not forwarded: they are internal; a browser's
///    admin request with a body that is not JSON (a form post) is refused (Control refuses it too);
/// 5. with ADMIN_TOKEN set, admin calls and /metrics need the token, checked here, where the client's own address
///    is known, so that guessing is limited per client (<see cref="AdminTokenVerifier"/>) and not per Edge.
/// Listening beyond loopback without an ADMIN_TOKEN of the operator's own is refused at start.
/// </summary>
internal static partial class FrontDoorSecurity
{
    public static IServiceCollection AddFrontDoorSecurity(this IServiceCollection services, EdgeOptions options, IConfiguration configuration)
    {
        ServiceDefaults.RequireAdminTokenBeyondLoopback(options.AdminToken, options.Host, $"HOST={options.Host}");
        services.AddHostNameFiltering(HostNames.Allowed(options.Host, configuration[HostNames.AllowedHostsVariable]));
        services.AddSingleton(sp => new AdminTokenVerifier(options.AdminToken, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AdminTokenVerifier>>()));
        return services;
    }

    public static IApplicationBuilder UseFrontDoorSecurity(this IApplicationBuilder app)
    {
        app.UseSecurityHeaders();
        app.UseHostNameFiltering();
        app.Use(GuardAsync);
        return app;
    }

    private enum Route { Health, V1, Admin, Dashboard }

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var route = RouteOf(request);
        if (route == Route.Health)
        {
            await next(context);
            return;
        }
        if (BrowserRequests.CrossOriginReason(request, allowNavigation: route == Route.Dashboard) is { } reason)
        {
            await RefuseCrossOriginAsync(context, route, $"Cross-origin request refused: {reason}.");
            return;
        }
        DropUnforwardableHeaders(context);
        if (route == Route.Admin)
        {
            if (AdminErrors.IsGrpc(request) && !PublicGrpcApi.IsPublic(request.Path.Value))
            {
                await AdminErrors.WriteAsync(context, StatusCode.PermissionDenied,
                    $"{request.Path} is internal: it is not served through the front door.");
                return;
            }
            if (BrowserRequests.NonJsonBody(request) is { } refusal)
            {
                await AdminErrors.WriteAsync(context, StatusCode.InvalidArgument, refusal, httpStatus: StatusCodes.Status415UnsupportedMediaType);
                return;
            }
            // Health answers without a token on Control too: probes have none.
            if (!request.Path.StartsWithSegments("/grpc.health.v1.Health")
                && !await AdminTokenGate.AllowAsync(context, acceptBearer: request.Path.Equals("/metrics")))
            {
                return;
            }
        }
        await next(context);
    }

    private static Route RouteOf(HttpRequest request)
    {
        var path = request.Path;
        if (path.Equals("/healthz") || path.Equals("/readyz"))
        {
            return Route.Health;
        }
        if (path.StartsWithSegments("/v1"))
        {
            return Route.V1;
        }
        return path.StartsWithSegments("/admin") || path.Equals("/metrics") || AdminErrors.IsGrpc(request) ? Route.Admin : Route.Dashboard;
    }

    private static Task RefuseCrossOriginAsync(HttpContext context, Route route, string message) => route switch
    {
        Route.V1 => new HttpSseTransport(context).AnswerErrorAsync(
            new ClientError(StatusCodes.Status403Forbidden, message, "invalid_request_error", "cross_origin_request")).AsTask(),
        Route.Admin => AdminErrors.WriteAsync(context, StatusCode.PermissionDenied, message),
        _ => Results.Text(message + "\n", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context),
    };

    // The header policy of every route (/v1 included): a value travels only as visible ASCII, space and tab. Control
    // characters are not allowed in a field at all (RFC 9110 §5.5), and bytes above 0x7F have no agreed character set
    // (only opaque "obs-text"), so forwarding them means guessing one, and the next hops (Control over HTTP/2, the
    // ChatGPT backend, the dashboard) refuse or re-read them. Refusing the request instead would fail it, and on /v1
    // count a failure against an account, for a header that only travels along (a title, a path in turn metadata);
    // none of our routes needs such a value, so the header is dropped and the request served.
    private static void DropUnforwardableHeaders(HttpContext context)
    {
        List<string>? bad = null;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && value.AsSpan().ContainsAnyExcept(Forwardable))
                {
                    (bad ??= []).Add(name);
                    break;
                }
            }
        }
        foreach (var name in bad ?? [])
        {
            context.Request.Headers.Remove(name);
            Log.HeaderDropped(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MultiCodex.Edge.FrontDoor"), name);
        }
    }

    private static readonly System.Buffers.SearchValues<char> Forwardable =
        System.Buffers.SearchValues.Create([.. Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c), '\t']);

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Debug, "Dropped request header {Header}: its value has non-ASCII or control characters, which cannot be forwarded")]
        public static partial void HeaderDropped(ILogger logger, string header);
    }
}
