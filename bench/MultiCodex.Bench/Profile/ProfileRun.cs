using MultiCodex.Bench.Report;
using MultiCodex.Bench.Scenarios;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Profile;

/// <summary>The Edge's memory at one moment: /proc's view and the GC's.</summary>
internal sealed record MemorySnapshot(string Moment, MemoryBreakdown Proc, CounterSummary Counters);

/// <summary>What one load measured: the wrk run with the counters, and the wrk run with the trace.</summary>
internal sealed record LoadProfile(string Route, string Load, WrkResult CountersRun, double EdgeCpuMsPerRequest, double ControlCpuMsPerRequest,
    CounterSummary Counters, WrkResult TraceRun, TraceSummary Trace, string TracePath);

/// <summary>
/// <c>--profile</c>: what bounds the Edge. For each of two loads (streaming <c>/v1/responses</c> and
/// <c>/v1/chat/completions</c>, small body, 64 connections) it runs wrk twice after a warm-up — once with
/// dotnet-counters attached, once with dotnet-trace (so the trace's overhead does not colour the counters) — and
/// reads the Edge's memory before and after. The report is <c>profile-latest.md</c>.
/// </summary>
internal static class ProfileRun
{
    private const int Connections = 64;
    private const int TopMethods = 25;
    private static readonly string[] ProfiledRoutes = [Route.EdgeResponses, Route.EdgeChat];
    private static readonly TimeSpan IdleSample = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(BenchContext context, MachineInfo machine)
    {
        var options = context.Options;
        if (DiagnosticTools.Find(options.ToolsDir) is not { } tools)
        {
            context.Log($"dotnet-counters and dotnet-trace are needed in {options.ToolsDir}: bench/run.sh --profile installs them");
            return 1;
        }
        var dir = Path.Combine(options.RunDir, "profile");
        Directory.CreateDirectory(dir);
        var edgePid = context.Stack.Watched["edge"].Pid;

        context.Log("profile: the Edge's memory, idle");
        var idle = await SnapshotAsync(tools, edgePid, dir, MemoryFigures.Idle);
        var loads = new List<LoadProfile>();
        foreach (var route in ProfiledRoutes.Select(context.Route))
        {
            loads.Add(await ProfileLoadAsync(context, tools, route, dir));
        }
        context.Log("profile: the Edge's memory, after the load");
        var after = await SnapshotAsync(tools, edgePid, dir, MemoryFigures.AfterLoad);

        var path = await ProfileReport.WriteAsync(options, machine, await tools.VersionAsync(), [idle, after], loads);
        Console.WriteLine();
        Console.Write(ProfileReport.Summary(loads, [idle, after]));
        context.Log($"profile: {path} (and a dated copy); traces and counters in {dir}");
        return 0;
    }

    private static async Task<LoadProfile> ProfileLoadAsync(BenchContext context, DiagnosticTools tools, Route route, string dir)
    {
        var options = context.Options;
        var wrk = context.Wrk!;
        var load = RequestResponseScenario.Load(BodySize.Small, Connections);
        var stem = Path.Combine(dir, route.Name.Replace(' ', '-'));
        var edgePid = context.Stack.Watched["edge"].Pid;
        if (options.Warmup > TimeSpan.Zero)
        {
            context.Log($"profile: warm-up, wrk {route.Name}, {load}");
            await wrk.RunAsync(route, BodySize.Small, Connections, options.Warmup);
        }

        context.Log($"profile: wrk {route.Name}, {load}, with dotnet-counters");
        // wrk starts once the tool records, and the tool stops a second before wrk: every sample is under load.
        var toolDuration = options.Duration > TimeSpan.FromSeconds(2) ? options.Duration - TimeSpan.FromSeconds(1) : options.Duration;
        var countersRun = tools.CollectCounters(edgePid, toolDuration, stem + ".counters.csv");
        await countersRun.Recording;
        var cpuBefore = CpuSnapshot.Take(context.Stack);
        var underCounters = await wrk.RunAsync(route, BodySize.Small, Connections, options.Duration);
        var cpu = CpuSnapshot.Take(context.Stack);
        var counters = CounterSummary.Read(await countersRun.Completion);
        var perRequest = 1000.0 / Math.Max(1, underCounters.Requests);

        context.Log($"profile: wrk {route.Name}, {load}, with dotnet-trace");
        var traceRun = tools.CollectTrace(edgePid, toolDuration, stem + ".nettrace");
        await traceRun.Recording;
        var underTrace = await wrk.RunAsync(route, BodySize.Small, Connections, options.Duration);
        var tracePath = await traceRun.Completion;
        context.Log($"profile: reading the trace of {route.Name}");
        var trace = new TraceSummary
        {
            // Deep enough that both lists still hold their top methods once the structure rows and the waits are taken out.
            Inclusive = TraceSummary.Parse(await tools.TopMethodsAsync(tracePath, TopMethods + 20, inclusive: true)),
            Exclusive = TraceSummary.Parse(await tools.TopMethodsAsync(tracePath, 200, inclusive: false)),
        };
        return new LoadProfile(route.Name, load, underCounters, cpu.Since(cpuBefore, "edge") * perRequest, cpu.Since(cpuBefore, "control") * perRequest,
            counters, underTrace, trace, tracePath);
    }

    private static async Task<MemorySnapshot> SnapshotAsync(DiagnosticTools tools, int pid, string dir, string moment)
    {
        var proc = MemoryBreakdown.Read(pid);
        var csv = await tools.CollectCounters(pid, IdleSample, Path.Combine(dir, moment.Replace(' ', '-') + ".counters.csv")).Completion;
        return new MemorySnapshot(moment, proc, CounterSummary.Read(csv));
    }
}
