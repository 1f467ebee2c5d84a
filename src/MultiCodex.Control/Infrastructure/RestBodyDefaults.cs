using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// Makes the /admin REST routes easy to call with plain curl: a body is read as JSON even when curl labels it
/// form data (its default for <c>-d</c>), and a custom method such as <c>POST /admin/accounts/{id}/unblock</c>
/// may be called without a body (JSON transcoding would refuse both). Only for clients that are not browsers:
/// a form content type is what any web page may send anywhere without asking (an HTML form, or fetch in no-cors
/// mode), so from a browser a state-changing request must say application/json, which needs a same-origin page.
/// </summary>
internal static class RestBodyDefaults
{
    public static IApplicationBuilder UseRestBodyDefaults(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/admin") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
                || HttpMethods.IsOptions(request.Method) || AdminErrors.IsGrpc(request))
            {
                return next(context);
            }
            var json = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
            if (BrowserRequests.FromBrowser(request) && !json && (request.ContentType is not null || HasBody(context)))
            {
                return AdminErrors.WriteAsync(context, StatusCode.InvalidArgument,
                    $"A browser must send admin requests as application/json, not {(request.ContentType is { } type ? $"'{Printable(type)}'" : "a body without a content type")}.",
                    httpStatus: StatusCodes.Status415UnsupportedMediaType);
            }
            if (HttpMethods.IsDelete(request.Method) || json)
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

    private static string Printable(string value) => value.Length <= 80 && value.All(c => c is >= ' ' and <= '~') ? value : "(unprintable)";
}
