using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MultiCodex.Hosting;

/// <summary>
/// Headers that keep a browser from misusing what we answer: no sniffing a JSON error into a script, no referrer
/// leaving with a URL, no framing. A response that brings its own policy (the dashboard's pages, through the Edge)
/// keeps it; everything else (API answers, errors) gets a policy that allows nothing.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>For responses that are no page: load nothing, be framed by nothing.</summary>
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                var headers = response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (!headers.ContainsKey("Referrer-Policy"))
                {
                    headers["Referrer-Policy"] = "no-referrer";
                }
                if (!headers.ContainsKey("Content-Security-Policy"))
                {
                    headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
                }
                if (!headers.ContainsKey("X-Frame-Options"))
                {
                    headers.XFrameOptions = "DENY";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
}
