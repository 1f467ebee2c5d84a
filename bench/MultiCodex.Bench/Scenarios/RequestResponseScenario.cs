using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>
/// Every route under wrk at each connection count, small and 1 MB bodies: requests/s, full-response latency,
/// the latency the route adds to going direct (same round, same load), CPU per request of each server from
/// /proc, and for 1 MB bodies the bytes the upstream received per byte the client sent.
/// </summary>
internal sealed class RequestResponseScenario : IScenario
{
    public const string ScenarioName = "Request/response (wrk; latency = full response)";

    public string Key => "wrk";

    public string Name => ScenarioName;

    public static string Load(BodySize size, int connections) => $"{Route.SizeLabel(size)}, {connections} conn";

    public async Task SmokeAsync(BenchContext context, SmokeChecks checks)
    {
        foreach (var route in context.Routes)
        {
            foreach (var size in Enum.GetValues<BodySize>())
            {
                await checks.RunAsync($"{route.Name}, {Route.SizeLabel(size)} body", async () =>
                {
                    var exchange = await context.Client.SendAsync(route, route.Bodies[size]);
                    return route.Check(exchange)
                        ?? (size == BodySize.Large ? UpstreamBodyCheck.Check(route, await context.Stack.LastUpstreamBodyAsync()) : null);
                });
            }
        }
        if (context.Wrk is { } wrk)
        {
            // The full run's wrk script and its parsing, end to end, once.
            await checks.RunAsync($"wrk on {Route.EdgeResponses}, 1 MB body", async () =>
            {
                var result = await wrk.RunAsync(context.Route(Route.EdgeResponses), BodySize.Large, 1, TimeSpan.FromSeconds(1));
                return result.Requests == 0 ? "wrk completed no request" : result.Errors > 0 ? $"wrk counted {result.Errors} errors" : null;
            });
        }
        else
        {
            Console.WriteLine("  skip  wrk is not installed (bench/run.sh installs it as root)");
        }
    }

    public async Task RunRoundAsync(BenchContext context, int round)
    {
        var wrk = context.Wrk ?? throw new InvalidOperationException("wrk is not installed: bench/run.sh installs it (apt-get, as root)");
        if (round == 1 && context.Options.Warmup > TimeSpan.Zero)
        {
            await WarmUpAsync(context, wrk);
        }
        foreach (var (size, connections) in Loads(context.Options))
        {
            var load = Load(size, connections);
            foreach (var route in context.RoutesForRound(round))
            {
                context.Log($"round {round}: wrk {route.Name}, {load}");
                await MeasureAsync(context, wrk, route, size, connections, round);
            }
            Stats.AddDifferencesToDirect(context, ScenarioName, load, round, ("p50_ms", "added_p50_ms"), ("p99_ms", "added_p99_ms"));
        }
    }

    private static IEnumerable<(BodySize Size, int Connections)> Loads(BenchOptions options) =>
        options.Connections.Select(c => (BodySize.Small, c)).Concat(options.LargeConnections.Select(c => (BodySize.Large, c)));

    // JIT, tiered compilation, connection pools and caches settle before anything counts.
    private static async Task WarmUpAsync(BenchContext context, Wrk wrk)
    {
        foreach (var (size, connections) in Loads(context.Options).GroupBy(l => l.Size).Select(g => g.MaxBy(l => l.Connections)))
        {
            foreach (var route in context.Routes)
            {
                context.Log($"warm-up: wrk {route.Name}, {Load(size, connections)}");
                await wrk.RunAsync(route, size, connections, context.Options.Warmup);
            }
        }
    }

    private static async Task MeasureAsync(BenchContext context, Wrk wrk, Route route, BodySize size, int connections, int round)
    {
        var stack = context.Stack;
        var countersBefore = await stack.CountersAsync();
        var cpuBefore = CpuSnapshot.Take(stack);
        var result = await wrk.RunAsync(route, size, connections, context.Options.Duration);
        var cpu = CpuSnapshot.Take(stack);
        var counters = await stack.CountersAsync();

        var load = Load(size, connections);
        void Add(string metric, double value) => context.Results.Add(ScenarioName, route.Name, load, metric, round, value);
        Add("rps", result.RequestsPerSecond);
        Add("p50_ms", result.P50Ms);
        Add("p99_ms", result.P99Ms);
        Add("errors", result.Errors);
        var perRequest = 1000.0 / Math.Max(1, result.Requests);
        foreach (var role in route.Proxy == "edge" ? (string[])["edge", "control"] : route.Proxy == "nginx" ? ["nginx"] : [])
        {
            Add($"cpu_{role}_ms", cpu.Since(cpuBefore, role) * perRequest);
        }
        Add("cpu_upstream_ms", cpu.Since(cpuBefore, "upstream") * perRequest);
        Add("upstream_cpu_pct", cpu.Since(cpuBefore, "upstream") / result.Seconds * 100);
        var upstreamRequests = counters.Requests - countersBefore.Requests;
        if (size == BodySize.Large && upstreamRequests > 0)
        {
            var perRequestUpstream = (double)(counters.BodyBytes - countersBefore.BodyBytes) / upstreamRequests;
            Add("upstream_bytes_ratio", perRequestUpstream / route.Bodies[size].Length);
        }
    }
}
