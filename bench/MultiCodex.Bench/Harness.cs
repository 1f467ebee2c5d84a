using MultiCodex.Bench.Profile;
using MultiCodex.Bench.Report;
using MultiCodex.Bench.Scenarios;
using MultiCodex.Bench.Stack;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench;

/// <summary>
/// One run: start the stack, check every route answers, then either stop there (smoke) or run the scenarios
/// round after round, interleaved, and write the results.
/// </summary>
internal static class Harness
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var scenarios = ScenarioCatalog.All.Where(s => options.Scenarios.Contains(s.Key)).ToList();
        var machine = await MachineInfo.CollectAsync(options.RepoRoot);
        var wrk = Wrk.Find(options.BenchDir);
        if (options.Profile && wrk is null)
        {
            Log("wrk is needed: bench/run.sh installs it from Debian's packages (as root)");
            return 1;
        }
        if (!options.Smoke && !options.Profile && (Nginx.Binary is null || wrk is null))
        {
            Log("nginx and wrk are needed: bench/run.sh installs them from Debian's packages (as root)");
            return 1;
        }
        WarnAboutOpenFileLimit(options);
        if (Directory.Exists(options.RunDir))
        {
            Directory.Delete(options.RunDir, recursive: true);
        }

        var settings = new StackSettings(Path.Combine(options.RepoRoot, "artifacts", "bin"), options.RunDir, options.Accounts,
            options.StreamInterval, options.LongStreamDeltas, RecordBodies: options.Smoke, WithNginx: !options.Profile);
        await using var stack = await BenchStack.StartAsync(settings, Log);
        if (stack.NginxUrl is null && !options.Profile)
        {
            Log("nginx is not installed: its route is left out of the smoke");
        }
        using var client = new StreamClient();
        var routes = Routes.For(stack, Path.Combine(options.RunDir, "bodies"));
        var context = new BenchContext(options, stack, routes, client, wrk, new Results(), Log);
        await WaitUntilServingAsync(context);
        Log($"logs and configs of this run: {options.RunDir}");

        if (options.Profile)
        {
            return await ProfileRun.RunAsync(context, machine);
        }

        if (options.Serve)
        {
            return await ServeMode.RunAsync(context);
        }

        if (options.Smoke)
        {
            var checks = new SmokeChecks();
            foreach (var scenario in scenarios)
            {
                await scenario.SmokeAsync(context, checks);
            }
            Console.WriteLine($"bench smoke: {checks.Passed} passed, {checks.Failed} failed");
            return checks.Failed == 0 ? 0 : 1;
        }

        MemoryFigures.Record(context.Results, stack, MemoryFigures.Idle);
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                await scenario.RunRoundAsync(context, round);
            }
        }
        MemoryFigures.Record(context.Results, stack, MemoryFigures.AfterLoad);

        var targets = Targets.Evaluate(context.Results, options);
        await ReportWriter.WriteAsync(options, machine, MachineInfo.LoadAverage(), context.Results, targets, [.. routes.Select(r => r.Name), "edge", "control", "nginx", "upstream"]);
        Console.WriteLine();
        Console.Write(ReportWriter.TargetsTable(targets));
        Console.WriteLine();
        Log($"results: {Path.Combine(options.OutDir, "latest.md")} (and .json, and a dated copy of each)");
        return 0;
    }

    private static void Log(string message) => Console.Error.WriteLine($"[bench] {message}");

    // The Edge learns accounts and client keys from Control a moment after they are added: wait (bounded) until
    // every route answers, so the first measurement does not time a start-up.
    private static async Task WaitUntilServingAsync(BenchContext context)
    {
        foreach (var route in context.Routes)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var exchange = await context.Client.SendAsync(route, route.Bodies[BodySize.Small]);
                if (exchange.Failure is null && exchange.Status == 200)
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{route.Name} did not answer 200 within 60 s; last answer: {exchange.Status} {exchange.Failure} {exchange.Text}");
                }
                await Task.Delay(250);
            }
        }
    }

    // Each long stream holds a socket in the client, two in a proxy and one in the upstream.
    private static void WarnAboutOpenFileLimit(BenchOptions options)
    {
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        if (long.TryParse(soft, out var limit) && limit < options.Streams * 2L + 1024)
        {
            Log($"the open-file limit is {limit}: too low for {options.Streams} streams; bench/run.sh raises it (ulimit -n)");
        }
    }
}
