using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MultiCodex.Hosting;

/// <summary>The admin-token check for HTTP routes that are not gRPC services: the Edge's forwarded admin calls and /metrics.</summary>
public static class AdminTokenGate
{
    /// <summary>
    /// True when the request may go on; otherwise its refusal (401, or 429 with Retry-After) has been written.
    /// <paramref name="acceptBearer"/> also takes the token as <c>Authorization: Bearer</c>, which Prometheus sends
    /// natively (for <c>/metrics</c>).
    /// </summary>
    public static async Task<bool> AllowAsync(HttpContext context, bool acceptBearer = false)
    {
        var verifier = context.RequestServices.GetRequiredService<AdminTokenVerifier>();
        var presented = context.Request.Headers[AdminTokenVerifier.HeaderName].ToString();
        if (presented.Length == 0 && acceptBearer && context.Request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[7..].Trim();
        }
        var check = verifier.Check(presented, context.Connection.RemoteIpAddress);
        if (check.Verdict == AdminTokenVerdict.Accepted)
        {
            return true;
        }
        var (code, message) = Refusal(check);
        await AdminErrors.WriteAsync(context, code, message, check.Verdict == AdminTokenVerdict.LockedOut ? check.RetryAfter : null);
        return false;
    }

    /// <summary>The status and message of a refused check (the same words on every route and protocol).</summary>
    public static (StatusCode Code, string Message) Refusal(AdminTokenCheck check) => check.Verdict switch
    {
        AdminTokenVerdict.Missing => (StatusCode.Unauthenticated,
            $"Missing {AdminTokenVerifier.HeaderName} header: this server requires the admin token (ADMIN_TOKEN)."),
        AdminTokenVerdict.LockedOut => (StatusCode.ResourceExhausted,
            $"Too many wrong admin tokens from this address; try again in {Math.Max(1, (int)Math.Ceiling(check.RetryAfter.TotalSeconds))} s."),
        _ => (StatusCode.Unauthenticated, $"Wrong {AdminTokenVerifier.HeaderName}: it does not match the server's ADMIN_TOKEN."),
    };
}
