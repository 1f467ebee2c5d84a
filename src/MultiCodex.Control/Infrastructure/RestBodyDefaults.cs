using Microsoft.AspNetCore.Http.Features;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// Makes the /admin REST routes easy to call with plain curl: a body is read as JSON even when curl labels it
/// form data (its default for <c>-d</c>), and a custom method such as <c>POST /admin/accounts/{id}/unblock</c>
/// may be called without a body (JSON transcoding would refuse both).
/// </summary>
internal static class RestBodyDefaults
{
    public static IApplicationBuilder UseRestBodyDefaults(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/admin") || HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method))
            {
                return next(context);
            }
            if (!HasBody(context))
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

    // Over HTTP/2 (how the Edge forwards) a body of unknown length has no Content-Length, so ask the server.
    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is > 0
        || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
}
