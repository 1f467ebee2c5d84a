using Prometheus;

namespace MultiCodex.Control.Observability;

/// <summary>Serves Control's metrics at <c>/metrics</c>.</summary>
internal static class ControlMetricsEndpoint
{
    private static int s_configured;

    /// <summary>
    /// Process and runtime metrics plus Control's own; .NET's other meters and event counters (Kestrel, HttpClient, …)
    /// are not republished, as on the Edge: listening to them costs CPU on every call and connection.
    /// </summary>
    public static IServiceCollection AddControlMetrics(this IServiceCollection services)
    {
        if (Interlocked.Exchange(ref s_configured, 1) == 0)
        {
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
            {
                SuppressMeters = true,
                SuppressEventCounters = true,
                SuppressProcessMetrics = false,
                SuppressDebugMetrics = false,
            });
            PrometheusMeterBridge.Start();
        }
        return services.AddSingleton<PoolGauges>();
    }

    public static IEndpointConventionBuilder MapControlMetrics(this WebApplication app)
    {
        // Created with the app (not at the first scrape or export), so both exports have the gauges from the start.
        app.Services.GetRequiredService<PoolGauges>();
        // Once the app (and OpenTelemetry's listener) runs: series that start at 0, so graphs show zeros, not gaps.
        app.Lifetime.ApplicationStarted.Register(static () =>
        {
            Events.EventMetrics.Initialize();
            Webhooks.WebhookMetrics.Initialize();
            History.HistoryMetrics.Initialize();
        });
        return app.MapMetrics("/metrics");
    }
}
