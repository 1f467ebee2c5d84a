using System.Diagnostics;
using MultiCodex.Hosting;
using Prometheus;

namespace MultiCodex.Edge.Observability;

/// <summary>Registers the Edge's metrics, and OpenTelemetry when it is configured.</summary>
public static class ObservabilityServiceCollectionExtensions
{
    private static int s_configured;

    /// <summary>
    /// The Edge's own /v1 metrics plus the process and runtime ones. The .NET meters and event counters (Kestrel,
    /// HttpClient, …) are not republished: listening to them costs CPU on every request and connection.
    /// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, OpenTelemetry exports the /v1 requests' spans (<see cref="EdgeTracing"/>)
    /// and the same figures as metrics (<see cref="EdgeMeter"/>) over OTLP.
    /// </summary>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
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
        builder.Services.AddSingleton<EdgeMetrics>();
        var exporting = builder.AddMultiCodexTelemetry(new TelemetryPlan("multicodex-edge", [EdgeTracing.Name], [EdgeMeter.Name],
            TraceRequest: static context => context.Request.Path.StartsWithSegments("/v1")));
        if (exporting && DistributedContextPropagator.Current is not ExportedSpanPropagator)
        {
            // Calls to Control (the token refresh after a 401) carry the span that exported; the upstream's handler
            // has no propagator at all (UpstreamClient).
            DistributedContextPropagator.Current = new ExportedSpanPropagator(DistributedContextPropagator.Current);
        }
        return builder;
    }
}
