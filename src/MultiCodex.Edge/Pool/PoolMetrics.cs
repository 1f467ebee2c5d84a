using Prometheus;

namespace MultiCodex.Edge.Pool;

/// <summary>Prometheus metrics of the pool on this Edge, computed when <c>/metrics</c> is scraped.</summary>
internal static class PoolMetrics
{
    private static readonly Gauge Connected = Metrics.CreateGauge("multicodex_edge_pool_connected", "1 while Control's pool stream is up, 0 while the Edge serves from its last view.");
    private static readonly Gauge Accounts = Metrics.CreateGauge("multicodex_edge_pool_accounts", "Accounts in the Edge's view of the pool.");
    private static readonly Gauge InFlight = Metrics.CreateGauge("multicodex_edge_leases_in_flight", "Accounts leased by this Edge and not yet completed.");
    private static readonly Gauge Queued = Metrics.CreateGauge("multicodex_edge_pool_reports_queued", "Reports (outcomes, answers, bindings) waiting to reach Control.");
    private static readonly Gauge Dropped = Metrics.CreateGauge("multicodex_edge_pool_reports_dropped_total", "Reports dropped because the queue was full while Control was away.");

    /// <summary>Computes the pool's gauges from this Edge's services at every scrape.</summary>
    public static void AddPoolMetrics(this IServiceProvider services)
    {
        var watcher = services.GetRequiredService<PoolWatcher>();
        var view = services.GetRequiredService<PoolView>();
        var queue = services.GetRequiredService<ReportQueue>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            var health = watcher.Health;
            Connected.Set(health.Connected ? 1 : 0);
            Accounts.Set(health.Accounts);
            InFlight.Set(view.InFlight());
            Queued.Set(health.QueuedReports);
            Dropped.Set(queue.Dropped);
        });
    }
}
