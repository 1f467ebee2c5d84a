using MultiCodex.Control.Accounts;
using MultiCodex.Control.Pool;
using Prometheus;

namespace MultiCodex.Control.Infrastructure;

/// <summary>Prometheus gauges of the pool, computed when <c>/metrics</c> is scraped (nothing runs between scrapes).</summary>
internal static class ControlMetrics
{
    private static readonly Gauge Accounts = Metrics.CreateGauge("multicodex_control_accounts", "Accounts by state.", "state");
    private static readonly Gauge PoolWatchers = Metrics.CreateGauge("multicodex_control_pool_watchers", "Edges following the pool view.");
    private static readonly Gauge SessionBindings = Metrics.CreateGauge("multicodex_control_session_bindings", "Conversations bound to an account.");

    public static IEndpointConventionBuilder MapControlMetrics(this WebApplication app)
    {
        var store = app.Services.GetRequiredService<AccountStore>();
        var feed = app.Services.GetRequiredService<PoolFeed>();
        var sessions = app.Services.GetRequiredService<SessionAffinity>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            var now = time.GetUtcNow();
            var counts = store.All.GroupBy(a => AccountMapper.StateOf(a, now)).ToDictionary(g => g.Key, g => g.Count());
            foreach (var state in Enum.GetValues<V1.Account.Types.State>().Where(s => s != V1.Account.Types.State.Unspecified))
            {
                Accounts.WithLabels(state == V1.Account.Types.State.ReauthRequired ? "reauth_required" : state.ToString().ToLowerInvariant())
                    .Set(counts.GetValueOrDefault(state));
            }
            PoolWatchers.Set(feed.WatcherCount);
            SessionBindings.Set(sessions.Count);
        });
        return app.MapMetrics("/metrics");
    }
}
