using Prometheus;

namespace MultiCodex.Edge.Observability;

/// <summary>Registers the Edge's metrics.</summary>
public static class ObservabilityServiceCollectionExtensions
{
    private static int s_configured;

    /// <summary>
    /// The Edge's own /v1 metrics plus the process and runtime ones. The .NET meters and event counters (Kestrel,
    /// HttpClient, …) are not republished: listening to them costs CPU on every request and connection.
    /// </summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
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
        }
        services.AddSingleton<EdgeMetrics>();
        return services;
    }
}
