using Microsoft.AspNetCore.Http.Features;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// Lets custom methods such as <c>POST /admin/accounts/{id}/unblock</c> be called without a body
/// (<c>curl -X POST</c>): JSON transcoding would refuse an empty body, so it reads as <c>{}</c>.
/// </summary>
internal static class EmptyRestBody
{
    public static IApplicationBuilder UseEmptyRestBodyAsEmptyObject(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/admin")
                && !HasBody(context))
            {
                request.Body = new MemoryStream("{}"u8.ToArray(), writable: false);
                request.ContentLength = 2;
                request.ContentType = "application/json";
            }
            return next(context);
        });

    // Over HTTP/2 (how the Edge forwards) a body of unknown length has no Content-Length, so ask the server.
    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is > 0
        || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
}
