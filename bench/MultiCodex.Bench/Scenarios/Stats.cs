namespace MultiCodex.Bench.Scenarios;

/// <summary>Percentiles and the differences to going direct.</summary>
internal static class Stats
{
    /// <summary>Nearest-rank percentile (0–100) of the values; NaN when there are none.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>
    /// For every route but direct, adds <c>added</c> = the route's <c>metric</c> minus direct's, in the same
    /// round and load: what the proxy adds to going straight to the upstream.
    /// </summary>
    public static void AddDifferencesToDirect(BenchContext context, string scenario, string load, int round, params (string Metric, string Added)[] pairs)
    {
        var results = context.Results;
        foreach (var (metric, added) in pairs)
        {
            if (results.Value(scenario, Workload.Route.Direct, load, metric, round) is not { } direct)
            {
                continue;
            }
            foreach (var route in context.Routes.Where(r => r.Name != Workload.Route.Direct))
            {
                if (results.Value(scenario, route.Name, load, metric, round) is { } value)
                {
                    results.Add(scenario, route.Name, load, added, round, value - direct);
                }
            }
        }
    }
}
