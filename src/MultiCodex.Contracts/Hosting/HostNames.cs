using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MultiCodex.Hosting;

/// <summary>
/// Which <c>Host</c> names a service answers (ASP.NET Core's host filtering), against DNS rebinding: a page on
/// <c>http://evil.example:4010</c> whose name the attacker re-points at 127.0.0.1 reaches our port from the operator's
/// own browser, as its own origin, but with <c>Host: evil.example:4010</c>. Bound to loopback, a service answers only
/// loopback names (localhost, 127.0.0.1, [::1], any port) plus <c>ALLOWED_HOSTS</c>. Bound beyond loopback, it answers
/// the names in <c>ALLOWED_HOSTS</c> (plus loopback names and its own configured name), or every name while
/// <c>ALLOWED_HOSTS</c> is unset, so a person browsing <c>http://server:4010</c> is not locked out: the origin checks and
/// the admin token (required there) still protect them.
/// </summary>
public static class HostNames
{
    /// <summary>The environment variable: a comma-separated list of extra names (<c>*.example.com</c> wildcards allowed).</summary>
    public const string AllowedHostsVariable = "ALLOWED_HOSTS";

    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>True when <paramref name="bindHost"/> (a host from a listen URL or HOST) listens on loopback only.</summary>
    public static bool IsLoopback(string bindHost)
    {
        var host = bindHost.Trim().Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The host names to answer; <c>["*"]</c> means all.</summary>
    /// <param name="bindHost">The address the service binds (<c>HOST</c>, or the host of <c>CONTROL_URL</c>).</param>
    /// <param name="allowedHosts">The value of <c>ALLOWED_HOSTS</c>, or null.</param>
    public static IReadOnlyList<string> Allowed(string bindHost, string? allowedHosts)
    {
        var configured = (allowedHosts ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (configured.Contains("*"))
        {
            return ["*"];
        }
        if (!IsLoopback(bindHost) && configured.Length == 0)
        {
            return ["*"];
        }
        // Its own name (compose's `control`, or HOST=myserver) is how the others reach it; a wildcard address is no name.
        string[] own = IsWildcard(bindHost) || IsLoopback(bindHost) ? [] : [bindHost.Trim()];
        return [.. Loopback.Concat(own).Concat(configured).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Registers host filtering for <paramref name="allowed"/> (see <see cref="Allowed"/>).</summary>
    public static IServiceCollection AddHostNameFiltering(this IServiceCollection services, IReadOnlyList<string> allowed)
    {
        // The web host's defaults put host filtering first in every pipeline, health probes included; ours
        // (UseHostNameFiltering) is the same middleware with the same options, minus the probes.
        foreach (var framework in services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "HostFilteringStartupFilter").ToList())
        {
            services.Remove(framework);
        }
        return services.AddHostFiltering(options =>
        {
            options.AllowedHosts = [.. allowed];
            options.IncludeFailureMessage = true;
        });
    }

    /// <summary>
    /// Refuses requests for names that are not allowed (400), except the health probes: an orchestrator probes by
    /// pod address, and they answer nothing secret.
    /// </summary>
    public static IApplicationBuilder UseHostNameFiltering(this IApplicationBuilder app) =>
        app.UseWhen(context => !IsHealthProbe(context.Request.Path), branch => branch.UseHostFiltering());

    private static bool IsHealthProbe(PathString path) => path.Equals("/healthz") || path.Equals("/readyz");

    private static bool IsWildcard(string bindHost) => bindHost.Trim() is "0.0.0.0" or "::" or "[::]" or "*" or "+";
}
