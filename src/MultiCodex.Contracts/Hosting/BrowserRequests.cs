using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MultiCodex.Hosting;

/// <summary>
/// Tells a page's own requests from another site's. Browsers say where a request comes from with <c>Origin</c>
/// (on every non-GET request) and the Fetch Metadata headers (<c>Sec-Fetch-Site</c>, <c>-Mode</c>, <c>-Dest</c>); other
/// clients (curl, SDKs, the Edge) send none of them. A request is refused when the browser says it comes from
/// another origin: <c>Sec-Fetch-Site</c> <c>cross-site</c>, or <c>same-site</c> (another port or subdomain of the same
/// host is the same site but not the same origin), or an <c>Origin</c> that is not the request's own.
/// </summary>
public static class BrowserRequests
{
    private const string FetchSite = "Sec-Fetch-Site";
    private const string FetchMode = "Sec-Fetch-Mode";
    private const string FetchDest = "Sec-Fetch-Dest";
    private const string FetchUser = "Sec-Fetch-User";

    /// <summary>True when the request carries a header only browsers send: <c>Origin</c> or any <c>Sec-Fetch-*</c>.</summary>
    public static bool FromBrowser(HttpRequest request) =>
        request.Headers.Origin.Count > 0 || request.Headers.ContainsKey(FetchSite) || request.Headers.ContainsKey(FetchMode)
        || request.Headers.ContainsKey(FetchDest) || request.Headers.ContainsKey(FetchUser);

    /// <summary>
    /// Why the request must be refused as cross-origin, or null when it may go on. <paramref name="allowNavigation"/>
    /// lets a top-level page load through from anywhere (a bookmark or a link opens the dashboard); nothing it loads
    /// from there is cross-origin any more. <paramref name="trustForwardedHost"/> (Control behind the Edge) compares
    /// with <c>X-Forwarded-Host</c>, the host the browser asked for; a browser cannot set that header on another
    /// site's request without a CORS preflight, which nothing here grants.
    /// </summary>
    public static string? CrossOriginReason(HttpRequest request, bool allowNavigation, bool trustForwardedHost = false)
    {
        if (allowNavigation && IsTopLevelNavigation(request))
        {
            return null;
        }
        var site = request.Headers[FetchSite].ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || site.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return $"the browser sent it from another site or port (Sec-Fetch-Site: {site})";
        }
        if (request.Headers.Origin is { Count: > 0 } origin)
        {
            var expected = ExpectedAuthority(request, trustForwardedHost);
            if (!SameAuthority(origin.ToString(), expected))
            {
                return $"it comes from the page at {Printable(origin)}, not from {expected}";
            }
        }
        return null;
    }

    /// <summary>
    /// Why a browser's state-changing request must be refused for its body, or null: a form content type (or none)
    /// is what any web page may send anywhere without asking (an HTML form, <c>fetch</c> in no-cors mode), so from a
    /// browser a body must be JSON, which only a same-origin page can send. Non-browser clients (curl) are not judged.
    /// </summary>
    public static string? NonJsonBody(HttpRequest request)
    {
        if (!FromBrowser(request) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            || request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true
            || (request.ContentType is null && !HasBody(request)))
        {
            return null;
        }
        var type = request.ContentType is { } t ? $"'{Printable(t)}'" : "a body without a content type";
        return $"A browser must send admin requests as application/json, not {type}.";
    }

    /// <summary>True when the request has a body; over HTTP/2 a body of unknown length has no Content-Length, so the server is asked.</summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    /// <summary>A GET or HEAD that loads a top-level page (not a frame, a script or a fetch).</summary>
    public static bool IsTopLevelNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers[FetchMode].ToString().Equals("navigate", StringComparison.OrdinalIgnoreCase)
        && request.Headers[FetchDest] is var dest && (StringValues.IsNullOrEmpty(dest) || dest.ToString().Equals("document", StringComparison.OrdinalIgnoreCase));

    private static string ExpectedAuthority(HttpRequest request, bool trustForwardedHost)
    {
        if (trustForwardedHost && request.Headers["X-Forwarded-Host"] is { Count: > 0 } forwarded)
        {
            // YARP appends when the header was already there: the last value is the host the browser used.
            return Normalize(forwarded[^1]!.Split(',')[^1].Trim());
        }
        return Normalize(request.Host.Value ?? "");
    }

    // An origin is scheme://host[:port]. The scheme is not compared: behind a TLS-terminating proxy the page is
    // https and the request reaching us is http. Another scheme on the same host and port is no other party.
    private static bool SameAuthority(string origin, string expected) =>
        !origin.Equals("null", StringComparison.OrdinalIgnoreCase)
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && expected.Length > 0
        && Normalize(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") == expected;

    private static string Normalize(string authority)
    {
        var value = authority.Trim().ToLowerInvariant();
        return value.EndsWith(":80", StringComparison.Ordinal) || value.EndsWith(":443", StringComparison.Ordinal)
            ? value[..value.LastIndexOf(':')]
            : value;
    }

    private static string Printable(StringValues value)
    {
        var text = value.ToString();
        return text.Length <= 100 && text.All(c => c is >= ' ' and <= '~') ? text : "(unreadable)";
    }
}
