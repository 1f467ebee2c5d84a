using System.Diagnostics.Metrics;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Pool;

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
