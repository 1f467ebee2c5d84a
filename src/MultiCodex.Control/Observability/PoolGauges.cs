using System.Diagnostics.Metrics;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Pool;
using Prometheus;

namespace MultiCodex.Control.Observability;

/// <summary>
/// The pool's gauges (accounts by state, Edges following the pool, session bindings), read when they are exported:
/// at a <c>/metrics</c> scrape or an OTLP export, nothing runs between. Every state is reported, zero included, so
/// a graph shows 0 rather than a gap. A meter per app, disposed with it.
/// </summary>
internal sealed class PoolGauges : IDisposable
{
    private static readonly V1.Account.Types.State[] States =
        [.. Enum.GetValues<V1.Account.Types.State>().Where(s => s != V1.Account.Types.State.Unspecified)];

    private readonly Meter _meter = new(ControlMeter.Name);

    public PoolGauges(AccountStore store, PoolFeed feed, SessionAffinity sessions, TimeProvider time)
    {
        _meter.CreateObservableGauge("multicodex.control.accounts", () =>
        {
            var now = time.GetUtcNow();
            var counts = store.All.GroupBy(a => AccountMapper.StateOf(a, now)).ToDictionary(g => g.Key, g => g.Count());
            return States.Select(state => new Measurement<int>(counts.GetValueOrDefault(state), new KeyValuePair<string, object?>("state", StateName(state))));
        }, "{account}", "Accounts by state.");
        _meter.CreateObservableGauge("multicodex.control.pool.watchers", () => feed.WatcherCount, "{edge}", "Edges following the pool view.");
        _meter.CreateObservableGauge("multicodex.control.session_bindings", () => sessions.Count, "{session}", "Conversations bound to an account.");
    }

    public void Dispose() => _meter.Dispose();

    private static string StateName(V1.Account.Types.State state) =>
        state == V1.Account.Types.State.ReauthRequired ? "reauth_required" : state.ToString().ToLowerInvariant();
}

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
