using System.Net;
using Microsoft.Extensions.Options;
using MultiCodex.Control.OAuth;
using MultiCodex.Control.Tokens;
using MultiCodex.Control.Usage;

namespace MultiCodex.Control.Upstream;

internal static class UpstreamServiceCollectionExtensions
{
    /// <summary>Sign-in, token refresh and usage probing: everything Control asks of the issuer and the backend.</summary>
    public static IServiceCollection AddUpstream(this IServiceCollection services)
    {
        services.AddHttpClient<OAuthTokenClient>(ConfigureClient).ConfigurePrimaryHttpMessageHandler(CreateHandler);
        services.AddHttpClient<UsageClient>(ConfigureClient).ConfigurePrimaryHttpMessageHandler(CreateHandler);

        services.AddSingleton<OAuthFlowStore>();
        services.AddSingleton<OAuthFlowManager>();
        services.AddSingleton<DeviceFlowPoller>().AddHostedService(sp => sp.GetRequiredService<DeviceFlowPoller>());

        services.AddSingleton<TokenRefresher>();
        services.AddHostedService<ProactiveRefreshWorker>();

        services.AddSingleton<UsageProber>();
        services.AddSingleton<UsageHistory>();
        services.AddHostedService<UsageRefreshWorker>();
        services.AddSingleton<UsageRecheck>().AddHostedService(sp => sp.GetRequiredService<UsageRecheck>());
        return services;
    }

    private static void ConfigureClient(IServiceProvider services, HttpClient client) =>
        client.Timeout = services.GetRequiredService<IOptions<UpstreamOptions>>().Value.Timeout;

    // No cookies, no redirects: the issuer and backend are APIs, and a redirect would carry a token elsewhere. No
    // trace headers: the trace context of a refresh an Edge asked for stays inside MultiCodex.
    private static SocketsHttpHandler CreateHandler() => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ActivityHeadersPropagator = null,
    };
}
