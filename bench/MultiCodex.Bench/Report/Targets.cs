using MultiCodex.Bench.Scenarios;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Report;

/// <summary>One target of issue #12 item 6, checked against a run.</summary>
/// <param name="Reference">The value it is compared with (nginx's, or /v1/responses' for chat); null for absolute targets.</param>
/// <param name="Ratio">Edge ÷ reference; null when there is no reference or it is not positive.</param>
/// <param name="Pass">Met, missed, or null when it could not be measured.</param>
internal sealed record TargetResult(string Figure, string Unit, double? Reference, double? Edge, double? Ratio, string Target, bool? Pass);

/// <summary>The targets of issue #12 item 6, all from the same run's medians.</summary>
internal static class Targets
{
    public static IReadOnlyList<TargetResult> Evaluate(Results results, BenchOptions options)
    {
        var list = new List<TargetResult>();
        const string Rr = RequestResponseScenario.ScenarioName;
        double? Rr_(string route, string load, string metric) => results.Summary(Rr, route, load, metric);
        var high = options.Connections.Max();

        foreach (var connections in options.Connections.Distinct().Order())
        {
            var load = RequestResponseScenario.Load(BodySize.Small, connections);
            list.Add(Ratio($"added response time p50, {connections} conn", "ms", Rr_(Route.Nginx, load, "added_p50_ms"), Rr_(Route.EdgeResponses, load, "added_p50_ms"), 1.5, atMost: true));
            list.Add(Ratio($"added response time p99, {connections} conn", "ms", Rr_(Route.Nginx, load, "added_p99_ms"), Rr_(Route.EdgeResponses, load, "added_p99_ms"), 2, atMost: true));
        }
        var busy = RequestResponseScenario.Load(BodySize.Small, high);
        list.Add(Ratio($"requests/s, {high} conn", "req/s", Rr_(Route.Nginx, busy, "rps"), Rr_(Route.EdgeResponses, busy, "rps"), 0.8, atMost: false));
        var edgeCpu = Rr_(Route.EdgeResponses, busy, "cpu_edge_ms") + Rr_(Route.EdgeResponses, busy, "cpu_control_ms");
        list.Add(Ratio($"CPU per request, {high} conn (Edge + Control)", "ms", Rr_(Route.Nginx, busy, "cpu_nginx_ms"), edgeCpu, 2, atMost: true));
        foreach (var connections in options.LargeConnections.Distinct().Order())
        {
            var load = RequestResponseScenario.Load(BodySize.Large, connections);
            list.Add(Ratio($"1 MB body: added response time p50, {connections} conn", "ms", Rr_(Route.Nginx, load, "added_p50_ms"), Rr_(Route.EdgeResponses, load, "added_p50_ms"), 2, atMost: true));
        }
        list.Add(Ratio($"chat requests/s vs /v1/responses, {high} conn", "req/s", Rr_(Route.EdgeResponses, busy, "rps"), Rr_(Route.EdgeChat, busy, "rps"), 0.8, atMost: false));

        const string Ls = LongStreamScenario.ScenarioName;
        var streams = LongStreamScenario.Load(options.Streams);
        var errors = results.Summary(Ls, Route.EdgeResponses, streams, "errors");
        list.Add(new TargetResult($"{options.Streams} long streams: errors", "", results.Summary(Ls, Route.Nginx, streams, "errors"), errors, null, "0", errors is null ? null : errors == 0));
        var perStream = results.Summary(Ls, Route.EdgeResponses, streams, "rss_per_stream_kb");
        list.Add(new TargetResult($"{options.Streams} long streams: Edge RSS per stream", "KB", results.Summary(Ls, Route.Nginx, streams, "rss_per_stream_kb"), perStream, null, "≤ 30 KB", perStream is null ? null : perStream <= 30));
        list.Add(Ratio($"{options.Streams} long streams: TTFB p99 during the ramp", "ms", results.Summary(Ls, Route.Nginx, streams, "ttfb_p99_ms"), results.Summary(Ls, Route.EdgeResponses, streams, "ttfb_p99_ms"), 3, atMost: true));

        var idle = results.Summary(MemoryFigures.ScenarioName, "edge", MemoryFigures.Idle, "rss_mb");
        list.Add(new TargetResult("Edge idle RSS", "MB", results.Summary(MemoryFigures.ScenarioName, "nginx", MemoryFigures.Idle, "rss_mb"), idle, null, "≤ 80 MB", idle is null ? null : idle <= 80));
        return list;
    }

    private static TargetResult Ratio(string figure, string unit, double? reference, double? edge, double bound, bool atMost)
    {
        double? ratio = reference is > 0 && edge is not null ? edge / reference : null;
        bool? pass = ratio is null ? null : atMost ? ratio <= bound : ratio >= bound;
        return new TargetResult(figure, unit, reference, edge, ratio, (atMost ? "≤ " : "≥ ") + bound.ToString(System.Globalization.CultureInfo.InvariantCulture) + "×", pass);
    }
}
