using System.Globalization;
using System.Text;
using MultiCodex.Bench.Report;

namespace MultiCodex.Bench.Profile;

/// <summary>Writes <c>profile-latest.md</c> and a dated copy: the machine, the loads, the counters, the memory, the top methods.</summary>
internal static class ProfileReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan FullDuration = TimeSpan.FromSeconds(15);

    public static async Task<string> WriteAsync(BenchOptions options, MachineInfo machine, string toolsVersion, IReadOnlyList<MemorySnapshot> memory,
        IReadOnlyList<LoadProfile> loads)
    {
        Directory.CreateDirectory(options.OutDir);
        var markdown = Markdown(options, machine, toolsVersion, memory, loads);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd_HHmmss", Invariant);
        foreach (var name in (string[])["profile-latest", "profile-" + stamp])
        {
            await File.WriteAllTextAsync(Path.Combine(options.OutDir, name + ".md"), markdown);
        }
        return Path.Combine(options.OutDir, "profile-latest.md");
    }

    /// <summary>A few lines for the console.</summary>
    public static string Summary(IReadOnlyList<LoadProfile> loads, IReadOnlyList<MemorySnapshot> memory)
    {
        var text = new StringBuilder();
        foreach (var load in loads)
        {
            var top = load.Trace.Running(1).FirstOrDefault()?.Method ?? "n/a";
            text.AppendLine(Invariant, $"{load.Route}, {load.Load}: {load.CountersRun.RequestsPerSecond:0} req/s, Edge {load.EdgeCpuMsPerRequest:0.000} CPU ms/req, {AllocatedKbPerRequest(load):0.0} KB allocated/req, top running method: {top}");
        }
        foreach (var snapshot in memory)
        {
            text.AppendLine(Invariant, $"Edge RSS {snapshot.Moment}: {snapshot.Proc.RssMb:0.0} MB (anonymous {snapshot.Proc.AnonymousMb:0.0}, files {snapshot.Proc.FileMb:0.0}, shared memory {snapshot.Proc.SharedMemoryMb:0.0})");
        }
        return text.ToString();
    }

    private static string Markdown(BenchOptions options, MachineInfo machine, string toolsVersion, IReadOnlyList<MemorySnapshot> memory,
        IReadOnlyList<LoadProfile> loads)
    {
        var md = new StringBuilder();
        md.AppendLine("# The Edge's profile (bench/run.sh --profile)").AppendLine();
        md.AppendLine(Invariant, $"- date: {machine.Date}; commit {machine.Commit}");
        md.AppendLine(Invariant, $"- machine: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB; {machine.Os}, Linux {machine.Kernel}");
        md.AppendLine(Invariant, $"- .NET SDK {machine.DotnetSdk}, {machine.DotnetRuntime}; dotnet-counters / dotnet-trace {toolsVersion}; {machine.Wrk}");
        md.AppendLine(Invariant, $"- load: wrk, small body, 64 connections, {options.Duration.TotalSeconds:0} s per run after a {options.Warmup.TotalSeconds:0} s warm-up; one run with dotnet-counters attached, one with dotnet-trace");
        md.AppendLine(Invariant, $"- load average before / after: {machine.LoadAverageBefore} / {MachineInfo.LoadAverage()}");
        if (options.Duration < FullDuration)
        {
            md.AppendLine(Invariant, $"- **a short trial** (`--duration {options.Duration.TotalSeconds:0}`): few samples per figure; run it with the default {FullDuration.TotalSeconds:0} s on a quiet machine before drawing conclusions");
        }
        md.AppendLine();

        md.AppendLine("## Per load").AppendLine();
        md.AppendLine("| figure | " + string.Join(" | ", loads.Select(l => $"{l.Route}, {l.Load}")) + " |");
        md.AppendLine("|---|" + string.Concat(loads.Select(_ => "---:|")));
        Row(md, "req/s (counters run)", loads.Select(l => l.CountersRun.RequestsPerSecond), "0");
        Row(md, "p50 / p99 ms", loads.Select(l => $"{l.CountersRun.P50Ms:0.00} / {l.CountersRun.P99Ms:0.00}"));
        Row(md, "errors", loads.Select(l => (double)l.CountersRun.Errors), "0");
        Row(md, "Edge CPU ms/req (/proc)", loads.Select(l => l.EdgeCpuMsPerRequest), "0.000");
        Row(md, "Control CPU ms/req (/proc)", loads.Select(l => l.ControlCpuMsPerRequest), "0.000");
        Row(md, "allocated KB/req (allocation rate ÷ req/s)", loads.Select(AllocatedKbPerRequest), "0.0");
        Row(md, "req/s with the trace attached", loads.Select(l => l.TraceRun.RequestsPerSecond), "0");
        Row(md, "samples blocked in a wait (trace)", loads.Select(l => $"{l.Trace.WaitingPercent:0.0} %"));
        md.AppendLine();

        md.AppendLine("## Runtime counters of the Edge (medians of one sample a second)").AppendLine();
        md.AppendLine("`dotnet-counters collect --counters 'EventCounters\\System.Runtime'`; CPU is the runtime's own figure, a share of all cores.").AppendLine();
        md.AppendLine("| counter | " + string.Join(" | ", loads.Select(l => l.Route)) + " | idle | after load |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", loads.Count + 2)));
        foreach (var (counter, label) in CounterSummary.Rows)
        {
            Row(md, label, [.. loads.Select(l => l.Counters.Display(counter)), .. memory.Select(m => m.Counters.Display(counter))], "0.##");
        }
        md.AppendLine();

        Memory(md, memory);
        foreach (var load in loads)
        {
            Methods(md, load);
        }

        md.AppendLine("## Reading it").AppendLine();
        md.AppendLine("- The trace is EventPipe's sample profiler (`dotnet-trace collect --profile dotnet-sampled-thread-time`): every managed thread's stack "
            + "about every 10 ms, running or parked. `dotnet-trace` 10's `cpu-sampling` profile belongs to `collect-linux` (perf events, machine-wide, "
            + "needs root and the kernel's user_events); the sample profiler works on any Linux without privileges.");
        md.AppendLine("- Shares are of all samples. Inclusive: on the stack; exclusive: the leaf. Blocked threads (idle thread-pool workers, timers, "
            + "the logger's queue) take a share; the *running* table drops those leaves and rescales the rest: an estimate of where the CPU goes. "
            + "Native code has no symbols here: `Missing Symbol` mixes the socket engine's epoll wait (a blocked thread) with native work "
            + "(the GC, system calls). `Thread.<PollGC>` is a thread stopped for a collection; `Monitor.Enter_Slowpath` / `Lock.TryEnterSlow`, "
            + "a contended lock.");
        md.AppendLine("- The traces (`.nettrace`) and the counters (`.csv`) stay in `artifacts/bench-profile/profile/`: open a trace in PerfView or "
            + "`dotnet-trace convert --format Speedscope` for the full call tree.");
        md.AppendLine("- CPU ms/req and RSS are the same `/proc` figures as the benchmark's; the profilers themselves cost some throughput (compare the two req/s rows).");
        return md.ToString();
    }

    private static void Memory(StringBuilder md, IReadOnlyList<MemorySnapshot> memory)
    {
        md.AppendLine("## The Edge's memory").AppendLine();
        md.AppendLine("`/proc/<pid>/status`, `smaps_rollup` and `smaps`, and the GC's own figures; idle = after start and one request per route. "
            + "Shared memory is the runtime's `memfd:doublemapper` (JIT'd code and stubs mapped twice under W^X); clean shared pages are library "
            + "pages the machine's other .NET processes share.").AppendLine();
        md.AppendLine("| MB | " + string.Join(" | ", memory.Select(m => m.Moment)) + " |");
        md.AppendLine("|---|" + string.Concat(memory.Select(_ => "---:|")));
        Row(md, "RSS", memory.Select(m => m.Proc.RssMb), "0.0");
        Row(md, "anonymous", memory.Select(m => m.Proc.AnonymousMb), "0.0");
        Row(md, "file-backed", memory.Select(m => m.Proc.FileMb), "0.0");
        Row(md, "shared memory", memory.Select(m => m.Proc.SharedMemoryMb), "0.0");
        Row(md, "clean shared pages", memory.Select(m => m.Proc.SharedCleanMb), "0.0");
        Row(md, "private dirty", memory.Select(m => m.Proc.PrivateDirtyMb), "0.0");
        Row(md, "PSS (shared pages split among their processes)", memory.Select(m => m.Proc.PssMb), "0.0");
        Row(md, "peak RSS (VmHWM)", memory.Select(m => m.Proc.PeakRssMb), "0.0");
        Row(md, "GC heap size", memory.Select(m => m.Counters.Display("GC Heap Size (MB)")), "0.0");
        Row(md, "GC committed", memory.Select(m => m.Counters.Display("GC Committed Bytes (MB)")), "0.0");
        Row(md, "anonymous outside the GC's committed memory", memory.Select(m => m.Proc.AnonymousMb - m.Counters.Display("GC Committed Bytes (MB)")), "0.0");
        md.AppendLine();

        md.AppendLine("The largest mappings by resident size:").AppendLine();
        md.AppendLine("| mapping | " + string.Join(" | ", memory.Select(m => m.Moment)) + " |");
        md.AppendLine("|---|" + string.Concat(memory.Select(_ => "---:|")));
        var largest = memory.SelectMany(m => m.Proc.Mappings).GroupBy(m => m.Key).Select(g => (Name: g.Key, Max: g.Max(m => m.Value)))
            .OrderByDescending(m => m.Max).Take(12);
        foreach (var (name, _) in largest)
        {
            Row(md, Cell(name), memory.Select(m => (double?)m.Proc.Mappings.GetValueOrDefault(name)), "0.0");
        }
        md.AppendLine();
    }

    private static void Methods(StringBuilder md, LoadProfile load)
    {
        md.AppendLine(Invariant, $"## Top methods: {load.Route}, {load.Load}").AppendLine();
        md.AppendLine(Invariant, $"Trace: `{Path.GetFileName(load.TracePath)}`; {load.TraceRun.RequestsPerSecond:0} req/s while traced; {load.Trace.WaitingPercent:0.0} % of the samples were blocked in a wait.").AppendLine();
        var busy = load.Trace.Running(25);
        var inclusive = load.Trace.Inclusive.Take(25).ToList();
        md.AppendLine("| # | running (exclusive, blocked waits removed) | % of running | inclusive (all samples) | incl % | excl % |");
        md.AppendLine("|---:|---|---:|---|---:|---:|");
        for (var i = 0; i < Math.Max(busy.Count, inclusive.Count); i++)
        {
            var b = i < busy.Count ? busy[i] : null;
            var n = i < inclusive.Count ? inclusive[i] : null;
            md.AppendLine(Invariant, $"| {i + 1} | {Cell(b?.Method)} | {b?.ExclusivePercent:0.0} | {Cell(n?.Method)} | {n?.InclusivePercent:0.0} | {n?.ExclusivePercent:0.0} |");
        }
        md.AppendLine();
        md.AppendLine("Exclusive, all samples (waits included):").AppendLine();
        md.AppendLine("| # | method | excl % | incl % |");
        md.AppendLine("|---:|---|---:|---:|");
        foreach (var (method, index) in load.Trace.Exclusive.Take(25).Select((m, i) => (m, i)))
        {
            md.AppendLine(Invariant, $"| {index + 1} | {Cell(method.Method)} | {method.ExclusivePercent:0.0} | {method.InclusivePercent:0.0} |");
        }
        md.AppendLine();
    }

    private static double AllocatedKbPerRequest(LoadProfile load) =>
        (load.Counters.Median(CounterSummary.AllocationRate) ?? double.NaN) / 1024 / Math.Max(1, load.CountersRun.RequestsPerSecond);

    // Method names carry generic brackets and pipes from the runtime's formatting: keep the table intact.
    private static string Cell(string? text) => text is null ? "" : "`" + text.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal) + "`";

    private static void Row(StringBuilder md, string label, IEnumerable<double?> values, string format) =>
        Row(md, label, values.Select(v => v is { } x && double.IsFinite(x) ? x.ToString(format, Invariant) : "n/a"));

    private static void Row(StringBuilder md, string label, IEnumerable<double> values, string format) =>
        Row(md, label, values.Select(v => (double?)v), format);

    private static void Row(StringBuilder md, string label, IEnumerable<string> values) =>
        md.AppendLine("| " + label + " | " + string.Join(" | ", values) + " |");
}
