using System.Globalization;
using MultiCodex.Edge.Pool;

namespace MultiCodex.Edge.Health;

/// <summary>
/// <c>/healthz</c>: the Edge process answers. <c>/readyz</c>: the Edge can serve /v1 — "ready" while it follows
/// Control's pool, "degraded" (still 200) while Control is away and it serves from its last view, 503 only while it
/// has never had a view.
/// </summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok\n"));
        app.MapGet("/readyz", (PoolWatcher watcher, TimeProvider time) =>
        {
            var health = watcher.Health;
            var away = health.AwaySince is { } since ? (time.GetUtcNow() - since).TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "0";
            return health switch
            {
                { Connected: true } => Results.Text("ready\n"),
                { HasView: true } => Results.Text(
                    $"degraded: Control unreachable for {away} s; serving from the last view ({health.Accounts} accounts, {health.QueuedReports} reports queued)\n"),
                _ => Results.Text($"not ready: no view of the pool from Control yet (waiting {away} s)\n", statusCode: StatusCodes.Status503ServiceUnavailable),
            };
        });
    }
}
