namespace MultiCodex.Bench.Report;

/// <summary>One figure measured once: in a scenario, on a route, under a load, in a round.</summary>
/// <param name="Load">What the route was under, e.g. <c>small, 64 conn</c> or <c>2000 streams</c>.</param>
/// <param name="Metric">A name from <see cref="Metrics"/>, e.g. <c>p50_ms</c>.</param>
internal sealed record Sample(string Scenario, string Route, string Load, string Metric, int Round, double Value);

/// <summary>Every sample of a run, and their medians over the rounds (the figures the report shows).</summary>
internal sealed class Results
{
    private readonly List<Sample> _samples = [];

    public IReadOnlyList<Sample> Samples => _samples;

    public void Add(string scenario, string route, string load, string metric, int round, double value)
    {
        if (double.IsFinite(value))
        {
            _samples.Add(new Sample(scenario, route, load, metric, round, value));
        }
    }

    /// <summary>The median over the rounds, or null when the figure was not measured.</summary>
    public double? Median(string scenario, string route, string load, string metric)
    {
        var values = Matching(scenario, route, load, metric).Select(s => s.Value).Order().ToList();
        return values.Count == 0 ? null
            : values.Count % 2 == 1 ? values[values.Count / 2]
            : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>The figure a report shows: the sum over the rounds for errors (none may hide), else the median.</summary>
    public double? Summary(string scenario, string route, string load, string metric)
    {
        if (metric != "errors")
        {
            return Median(scenario, route, load, metric);
        }
        var values = Matching(scenario, route, load, metric).Select(s => s.Value).ToList();
        return values.Count == 0 ? null : values.Sum();
    }

    /// <summary>The value of one round, or null.</summary>
    public double? Value(string scenario, string route, string load, string metric, int round) =>
        Matching(scenario, route, load, metric).LastOrDefault(s => s.Round == round)?.Value;

    /// <summary>Every (route, load) of a scenario, in the order first measured.</summary>
    public IReadOnlyList<(string Route, string Load)> Rows(string scenario) =>
        _samples.Where(s => s.Scenario == scenario).Select(s => (s.Route, s.Load)).Distinct().ToList();

    public IReadOnlyList<string> Scenarios() => _samples.Select(s => s.Scenario).Distinct().ToList();

    public IReadOnlyList<string> MetricsOf(string scenario) =>
        _samples.Where(s => s.Scenario == scenario).Select(s => s.Metric).Distinct().ToList();

    private IEnumerable<Sample> Matching(string scenario, string route, string load, string metric) =>
        _samples.Where(s => s.Scenario == scenario && s.Route == route && s.Load == load && s.Metric == metric);
}

/// <summary>How each metric is shown: a column title and a number format. Unknown metrics show by name.</summary>
internal static class Metrics
{
    // Insertion order is the column order.
    private static readonly OrderedDictionary<string, (string Title, string Format)> Known = new()
    {
        ["rps"] = ("req/s", "N0"),
        ["p50_ms"] = ("p50 ms", "0.00"),
        ["p99_ms"] = ("p99 ms", "0.00"),
        ["added_p50_ms"] = ("added p50 ms", "0.00"),
        ["added_p99_ms"] = ("added p99 ms", "0.00"),
        ["errors"] = ("errors", "N0"),
        ["cpu_edge_ms"] = ("Edge CPU ms/req", "0.000"),
        ["cpu_control_ms"] = ("Control CPU ms/req", "0.000"),
        ["cpu_nginx_ms"] = ("nginx CPU ms/req", "0.000"),
        ["cpu_upstream_ms"] = ("upstream CPU ms/req", "0.000"),
        ["upstream_cpu_pct"] = ("upstream CPU %", "0"),
        ["upstream_bytes_ratio"] = ("bytes upstream / received", "0.000"),
        ["ttfb_p50_ms"] = ("TTFB p50 ms", "0.00"),
        ["upstream_bytes_per_turn"] = ("bytes upstream/turn", "N0"),
        ["cpu_edge_ms_per_turn"] = ("Edge CPU ms/turn", "0.000"),
        ["ttfb_p99_ms"] = ("TTFB p99 ms", "0.00"),
        ["added_ttfb_p50_ms"] = ("added TTFB p50 ms", "0.00"),
        ["added_ttfb_p99_ms"] = ("added TTFB p99 ms", "0.00"),
        ["full_p50_ms"] = ("full p50 ms", "0.00"),
        ["full_p99_ms"] = ("full p99 ms", "0.00"),
        ["first_event_p99_ms"] = ("first event p99 ms", "0.00"),
        ["rss_per_stream_kb"] = ("RSS per stream KB", "0.0"),
        ["rss_open_mb"] = ("RSS, all open MB", "0.0"),
        ["cpu_ms_per_stream"] = ("proxy CPU ms/stream", "0.00"),
        ["cpu_control_ms_per_stream"] = ("Control CPU ms/stream", "0.00"),
        ["rss_mb"] = ("RSS MB", "0.0"),
        ["peak_rss_mb"] = ("peak RSS MB", "0.0"),
    };

    /// <summary>The metrics in column order: known ones as listed above, others after them.</summary>
    public static IEnumerable<string> InColumnOrder(IEnumerable<string> metrics)
    {
        var order = Known.Keys.ToList();
        return metrics.OrderBy(m => order.IndexOf(m) is >= 0 and var index ? index : int.MaxValue);
    }

    public static string Title(string metric) => Known.TryGetValue(metric, out var known) ? known.Title : metric;

    public static string Format(string metric, double value) =>
        value.ToString(Known.TryGetValue(metric, out var known) ? known.Format : "0.###", System.Globalization.CultureInfo.InvariantCulture);
}
