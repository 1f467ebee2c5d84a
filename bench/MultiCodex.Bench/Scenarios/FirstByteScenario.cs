using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>
/// What wrk cannot see: time to first byte. One connection, requests one after another with the harness's own
/// client; for each route and body, the time to the response headers (TTFB) and to the end of the body, and what
/// each adds to going direct. For a stream the first byte is what a user waits for.
/// </summary>
internal sealed class FirstByteScenario : IScenario
{
    public const string ScenarioName = "Time to first byte (harness client, 1 connection, sequential)";

    public string Key => "ttfb";

    public string Name => ScenarioName;

    public static string Load(BodySize size) => $"{Route.SizeLabel(size)}, 1 conn";

    // The request/response smoke already checks every answer.
    public Task SmokeAsync(BenchContext context, SmokeChecks checks) => Task.CompletedTask;

    public async Task RunRoundAsync(BenchContext context, int round)
    {
        foreach (var size in Enum.GetValues<BodySize>())
        {
            var load = Load(size);
            foreach (var route in context.RoutesForRound(round))
            {
                context.Log($"round {round}: first byte {route.Name}, {load}");
                var exchanges = new List<HttpExchange>(context.Options.ProbeRequests);
                for (var i = 0; i < context.Options.ProbeRequests; i++)
                {
                    exchanges.Add(await context.Client.SendAsync(route, route.Bodies[size]));
                }
                var good = exchanges.Where(e => e.Failure is null && e.Status == 200).ToList();
                void Add(string metric, double value) => context.Results.Add(ScenarioName, route.Name, load, metric, round, value);
                Add("ttfb_p50_ms", Stats.Percentile(good.Select(e => e.FirstByteMs), 50));
                Add("ttfb_p99_ms", Stats.Percentile(good.Select(e => e.FirstByteMs), 99));
                Add("full_p50_ms", Stats.Percentile(good.Select(e => e.FullMs), 50));
                Add("full_p99_ms", Stats.Percentile(good.Select(e => e.FullMs), 99));
                Add("errors", exchanges.Count - good.Count);
            }
            Stats.AddDifferencesToDirect(context, ScenarioName, load, round, ("ttfb_p50_ms", "added_ttfb_p50_ms"), ("ttfb_p99_ms", "added_ttfb_p99_ms"));
        }
    }
}
