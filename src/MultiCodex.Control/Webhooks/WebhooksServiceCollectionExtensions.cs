namespace MultiCodex.Control.Webhooks;

internal static class WebhooksServiceCollectionExtensions
{
    /// <summary>The webhook store, the per-webhook delivery workers, the signed sender and its delivery log.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<DeliveryAttemptLog>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookDispatcher>().AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        // Polly in WebhookSender owns retries and the per-attempt timeout; the client adds none of its own.
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A webhook answers to MultiCodex only: no redirects (a 3xx is a failed attempt), no cookies.
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return services;
    }
}
