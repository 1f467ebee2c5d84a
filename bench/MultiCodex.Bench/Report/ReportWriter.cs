using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MultiCodex.Bench.Report;

/// <summary>Writes a run's results: <c>latest.md</c> and <c>latest.json</c>, and a dated copy of each.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static async Task<string> WriteAsync(BenchOptions options, MachineInfo machine, string loadAfter, Results results, IReadOnlyList<TargetResult> targets,
        IReadOnlyList<string> routeOrder)
    {
        Directory.CreateDirectory(options.OutDir);
        var markdown = Markdown(options, machine, loadAfter, results, targets, routeOrder);
        var json = JsonSerializer.Serialize(new
        {
            machine,
            loadAverageAfter = loadAfter,
            settings = Settings(options),
            targets,
            medians = results.Scenarios().SelectMany(scenario => results.Rows(scenario).SelectMany(row => results.MetricsOf(scenario)
                .Select(metric => new { scenario, row.Route, row.Load, metric, value = results.Summary(scenario, row.Route, row.Load, metric) })
                .Where(m => m.value is not null))),
            samples = results.Samples,
        }, Json);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture);
        foreach (var name in (string[])["latest", stamp])
        {
            await File.WriteAllTextAsync(Path.Combine(options.OutDir, name + ".md"), markdown);
            await File.WriteAllTextAsync(Path.Combine(options.OutDir, name + ".json"), json);
        }
        return markdown;
    }

    public static string TargetsTable(IReadOnlyList<TargetResult> targets)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | nginx (or reference) | Edge | ratio | target | |");
        text.AppendLine("|---|---:|---:|---:|---:|:-:|");
        foreach (var t in targets)
        {
            var mark = t.Pass switch { true => "pass", false => "**miss**", null => "n/a" };
            text.AppendLine(CultureInfo.InvariantCulture, $"| {t.Figure} | {Number(t.Reference, t.Unit)} | {Number(t.Edge, t.Unit)} | {(t.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–")} | {t.Target} | {mark} |");
        }
        return text.ToString();
    }

    private static string Markdown(BenchOptions options, MachineInfo machine, string loadAfter, Results results, IReadOnlyList<TargetResult> targets,
        IReadOnlyList<string> routeOrder)
    {
        var text = new StringBuilder();
        text.AppendLine("# MultiCodex benchmark: the Edge next to nginx");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Date:** {machine.Date}; **commit** {machine.Commit}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Machine:** {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB; {machine.Os}, Linux {machine.Kernel}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Versions:** .NET SDK {machine.DotnetSdk} ({machine.DotnetRuntime}); {machine.Nginx}; {machine.Wrk}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Load average** (1/5/15 min) before: {machine.LoadAverageBefore}; after: {loadAfter} — anything else running on the machine shows here");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Settings:** {Settings(options)}");
        text.AppendLine();
        text.AppendLine("Medians over the rounds (errors: the sum). \"Added\" is the route's figure minus going direct, same round and load; ratios are Edge ÷ nginx. See bench/README.md for what each figure means and how noisy it is.");
        text.AppendLine();
        text.AppendLine("## Targets (issue #12, item 6)");
        text.AppendLine();
        text.Append(TargetsTable(targets));
        if (NginxRatios.Table(results, routeOrder) is { Length: > 0 } ratios)
        {
            text.AppendLine();
            text.AppendLine("## Every Edge route next to nginx (ratios, same load)");
            text.AppendLine();
            text.Append(ratios);
        }
        // Scenarios as they ran, memory last; rows by load, then routes in their usual order (direct first).
        foreach (var scenario in results.Scenarios().OrderBy(s => s == MemoryFigures.ScenarioName))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {scenario}");
            text.AppendLine();
            var metrics = Metrics.InColumnOrder(results.MetricsOf(scenario)).ToList();
            text.AppendLine("| route | load | " + string.Join(" | ", metrics.Select(Metrics.Title)) + " |");
            text.AppendLine("|---|---|" + string.Concat(metrics.Select(_ => "---:|")));
            var rows = results.Rows(scenario);
            var loads = rows.Select(r => r.Load).Distinct().ToList();
            foreach (var (route, load) in rows.OrderBy(r => loads.IndexOf(r.Load)).ThenBy(r => RouteRank(routeOrder, r.Route)))
            {
                var cells = metrics.Select(m => results.Summary(scenario, route, load, m) is { } v ? Metrics.Format(m, v) : "");
                text.AppendLine($"| {route} | {load} | " + string.Join(" | ", cells) + " |");
            }
        }
        return text.ToString();
    }

    private static int RouteRank(IReadOnlyList<string> order, string route)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == route)
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private static string Settings(BenchOptions o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Rounds} rounds; wrk {o.Duration.TotalSeconds:0} s per run after a {o.Warmup.TotalSeconds:0} s warm-up; connections {string.Join("/", o.Connections)} (1 MB: {string.Join("/", o.LargeConnections)}); {o.ProbeRequests} sequential requests per first-byte probe; {o.Streams} long streams, ramp {o.Ramp.TotalSeconds:0} s, hold {o.Hold.TotalSeconds:0} s, one event per {o.StreamInterval.TotalMilliseconds:0} ms, {o.StreamRounds} round(s); {o.Accounts} accounts; scenarios {string.Join(",", o.Scenarios)}");

    private static string Number(double? value, string unit) => value switch
    {
        null => "–",
        { } v when unit == "req/s" => v.ToString("N0", CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 100 => (v.ToString("0", CultureInfo.InvariantCulture) + " " + unit).TrimEnd(),
        { } v => (v.ToString("0.###", CultureInfo.InvariantCulture) + " " + unit).TrimEnd(),
    };
}
