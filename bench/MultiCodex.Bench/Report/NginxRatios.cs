using System.Globalization;
using System.Text;
using MultiCodex.Bench.Scenarios;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Report;

/// <summary>Every Edge route under every request/response load, as ratios to nginx under the same load.</summary>
internal static class NginxRatios
{
    public static string Table(Results results, IReadOnlyList<string> routes)
    {
        const string Rr = RequestResponseScenario.ScenarioName;
        var loads = results.Rows(Rr).Select(r => r.Load).Distinct().ToList();
        // Only the Edge routes this scenario measured (others, such as the conversation's, have no wrk rows).
        var edgeRoutes = routes.Where(r => r.StartsWith("edge", StringComparison.Ordinal) && results.Rows(Rr).Any(row => row.Route == r)).ToList();
        if (loads.Count == 0 || !results.Rows(Rr).Any(r => r.Route == Route.Nginx))
        {
            return "";
        }
        var text = new StringBuilder();
        text.AppendLine("| route | load | added p50 | added p99 | req/s | CPU per request (Edge + Control) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var load in loads)
        {
            double? Nginx(string metric) => results.Summary(Rr, Route.Nginx, load, metric);
            foreach (var route in edgeRoutes)
            {
                double? Edge(string metric) => results.Summary(Rr, route, load, metric);
                var cpu = Edge("cpu_edge_ms") + Edge("cpu_control_ms");
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {route} | {load} | {Ratio(Edge("added_p50_ms"), Nginx("added_p50_ms"))} | {Ratio(Edge("added_p99_ms"), Nginx("added_p99_ms"))} | {Ratio(Edge("rps"), Nginx("rps"))} | {Ratio(cpu, Nginx("cpu_nginx_ms"))} |");
            }
        }
        return text.ToString();
    }

    private static string Ratio(double? edge, double? nginx) =>
        edge is { } e && nginx is > 0 and var n ? (e / n).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";
}
