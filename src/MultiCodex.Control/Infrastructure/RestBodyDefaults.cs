using Grpc.Core;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// Makes the /admin REST routes easy to call with plain curl: a body is read as JSON even when curl labels it
/// form data (its default for <c>-d</c>), and a custom method such as <c>POST /admin/accounts/{id}/unblock</c>
/// may be called without a body (JSON transcoding would refuse both). Only for clients that are not browsers
/// (<see cref="BrowserRequests.NonJsonBody"/>): a browser's non-JSON body is refused with 415. An /admin path no
/// route serves gets a 404 that says so, in the same JSON shape as every other admin error.
/// </summary>
internal static class RestBodyDefaults
{
    public static IApplicationBuilder UseRestBodyDefaults(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/admin") || AdminErrors.IsGrpc(request))
            {
                return next(context);
            }
            if (BrowserRequests.NonJsonBody(request) is { } refusal)
            {
                return AdminErrors.WriteAsync(context, StatusCode.InvalidArgument, refusal, httpStatus: StatusCodes.Status415UnsupportedMediaType);
            }
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsDelete(request.Method)
                || request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
            {
                return next(context);
            }
            if (!BrowserRequests.HasBody(request))
            {
                request.Body = new MemoryStream("{}"u8.ToArray(), writable: false);
                request.ContentLength = 2;
                request.ContentType = "application/json";
            }
            else if (request.ContentType is null || request.ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                request.ContentType = "application/json";
            }
            return next(context);
        });

    /// <summary>Answers /admin paths that no route serves (a wrong method or a typo) with a 404 and a message.</summary>
    public static IEndpointConventionBuilder MapAdminFallback(this IEndpointRouteBuilder app) =>
        app.MapFallback("/admin/{**path}", context => AdminErrors.WriteAsync(context, StatusCode.NotFound,
            $"No admin route answers {context.Request.Method} {context.Request.Path}; README lists the admin routes."));
}
