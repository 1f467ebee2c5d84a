using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>
/// Thousands of slow streams open at once, as many Codex users waiting on long answers: the streams start
/// evenly over the ramp, each lasts the ramp plus the hold, so all are open when the ramp ends. Per route (direct,
/// nginx, Edge /v1/responses): errors, TTFB during the ramp, the proxy's memory per open stream (its RSS with all
/// open, minus before; first round only, which runs before any other load) and its CPU per stream.
/// </summary>
internal sealed class LongStreamScenario : IScenario
{
    public const string ScenarioName = "Concurrent long streams";

    private static readonly string[] RouteNames = [Route.Direct, Route.Nginx, Route.EdgeResponses];

    public string Key => "streams";

    public string Name => ScenarioName;

    public static string Load(int streams) => $"{streams} streams";

    public async Task SmokeAsync(BenchContext context, SmokeChecks checks)
    {
        foreach (var route in context.Routes.Where(r => RouteNames.Contains(r.Name)))
        {
            await checks.RunAsync($"{route.Name}, {context.Options.Streams} concurrent long streams", async () =>
            {
                var run = await RampAsync(context, route);
                var failed = run.Exchanges.Select(ResponseChecks.LongStream).Where(f => f is not null).ToList();
                return failed.Count == 0 ? null : $"{failed.Count} failed, first: {failed[0]}";
            });
        }
    }

    public async Task RunRoundAsync(BenchContext context, int round)
    {
        if (round > context.Options.StreamRounds)
        {
            return;
        }
        var load = Load(context.Options.Streams);
        foreach (var route in context.Routes.Where(r => RouteNames.Contains(r.Name)))
        {
            context.Log($"round {round}: {load} on {route.Name} (ramp {context.Options.Ramp.TotalSeconds:0} s, hold {context.Options.Hold.TotalSeconds:0} s)");
            var run = await RampAsync(context, route);
            var good = run.Exchanges.Where(e => ResponseChecks.LongStream(e) is null).ToList();
            void Add(string metric, double value) => context.Results.Add(ScenarioName, route.Name, load, metric, round, value);
            Add("errors", run.Exchanges.Count - good.Count);
            Add("ttfb_p50_ms", Stats.Percentile(good.Select(e => e.FirstByteMs), 50));
            Add("ttfb_p99_ms", Stats.Percentile(good.Select(e => e.FirstByteMs), 99));
            Add("first_event_p99_ms", Stats.Percentile(good.Select(e => e.FirstBodyMs), 99));
            if (round == 1)
            {
                // Only on a fresh stack: once other load has grown a heap, streams reuse its free memory and RSS hides them.
                Add("rss_open_mb", run.RssOpen / 1048576.0);
                Add("rss_per_stream_kb", (run.RssOpen - run.RssBefore) / 1024.0 / context.Options.Streams);
            }
            Add("cpu_ms_per_stream", run.ProxyCpuSeconds * 1000 / context.Options.Streams);
            if (route.Proxy == "edge")
            {
                Add("cpu_control_ms_per_stream", run.ControlCpuSeconds * 1000 / context.Options.Streams);
            }
            // Let the proxy close what it still holds before the next route starts.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private sealed record RampRun(IReadOnlyList<HttpExchange> Exchanges, long RssBefore, long RssOpen, double ProxyCpuSeconds, double ControlCpuSeconds);

    private static async Task<RampRun> RampAsync(BenchContext context, Route route)
    {
        var options = context.Options;
        var stack = context.Stack;
        var proxy = stack.Watched[route.Proxy];
        var body = Payloads.ResponsesSmall(stream: true, longStream: true);
        var streamLength = options.StreamInterval * options.LongStreamDeltas;
        using var timeout = new CancellationTokenSource(options.Ramp + streamLength + TimeSpan.FromSeconds(120));

        var rssBefore = proxy.RssBytes();
        var cpuBefore = CpuSnapshot.Take(stack);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var waiting = options.Streams;
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void FirstByte()
        {
            if (Interlocked.Decrement(ref waiting) == 0)
            {
                allOpen.TrySetResult();
            }
        }

        var streams = new List<Task<HttpExchange>>(options.Streams);
        for (var i = 0; i < options.Streams; i++)
        {
            var due = options.Ramp * i / options.Streams;
            if (due > started.Elapsed)
            {
                await Task.Delay(due - started.Elapsed, timeout.Token);
            }
            streams.Add(context.Client.SendAsync(route, body, FirstByte, timeout.Token));
        }
        await allOpen.Task.WaitAsync(timeout.Token);
        var rssOpen = proxy.RssBytes();
        var exchanges = await Task.WhenAll(streams);
        var cpu = CpuSnapshot.Take(stack);
        return new RampRun(exchanges, rssBefore, rssOpen, cpu.Since(cpuBefore, route.Proxy), cpu.Since(cpuBefore, "control"));
    }
}
