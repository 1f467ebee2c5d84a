using System.Globalization;
using MultiCodex.Bench.Stack;

namespace MultiCodex.Bench.Profile;

/// <summary>
/// dotnet-counters and dotnet-trace (10.0), as bench/run.sh installs them under <c>artifacts/tools</c>. Each
/// command attaches to one pid over the runtime's diagnostic port and stops by itself after <c>--duration</c>;
/// every call is bounded by a timeout on top of that.
/// </summary>
internal sealed class DiagnosticTools(string counters, string trace)
{
    // Stopping a trace session flushes and resolves the rundown: seconds on a busy 2-core machine, so a wide margin.
    private static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The runtime's EventCounters: unlike the System.Runtime meter, they carry "% time in GC", and report the
    /// thread-pool thread count and queue length as values (dotnet-counters 10 shows the meter's as rates).
    /// </summary>
    public const string RuntimeCounters = @"EventCounters\System.Runtime";

    /// <summary>EventPipe's sample profiler: every managed thread's stack about every 10 ms, running or waiting.</summary>
    public const string TraceProfile = "dotnet-sampled-thread-time";

    public static DiagnosticTools? Find(string toolsDir)
    {
        var counters = Path.Combine(toolsDir, "dotnet-counters");
        var trace = Path.Combine(toolsDir, "dotnet-trace");
        return File.Exists(counters) && File.Exists(trace) ? new DiagnosticTools(counters, trace) : null;
    }

    /// <summary>Samples the runtime counters of <paramref name="pid"/> once a second into a CSV file.</summary>
    public async Task<string> CollectCountersAsync(int pid, TimeSpan duration, string csvPath)
    {
        File.Delete(csvPath);
        var output = await Tools.OutputAsync(counters, ["collect", "-p", Invariant(pid), "--counters", RuntimeCounters, "--format", "csv",
            "--refresh-interval", "1", "--duration", Span(duration), "-o", csvPath], duration + StopMargin);
        return File.Exists(csvPath) ? csvPath : throw new InvalidOperationException($"dotnet-counters wrote no {csvPath}:\n{output}");
    }

    /// <summary>Records a sampled-stacks trace of <paramref name="pid"/> into a .nettrace file.</summary>
    public async Task<string> CollectTraceAsync(int pid, TimeSpan duration, string tracePath)
    {
        File.Delete(tracePath);
        var output = await Tools.OutputAsync(trace, ["collect", "-p", Invariant(pid), "--profile", TraceProfile,
            "--duration", Span(duration), "-o", tracePath], duration + StopMargin);
        return File.Exists(tracePath) ? tracePath : throw new InvalidOperationException($"dotnet-trace wrote no {tracePath}:\n{output}");
    }

    /// <summary>The text of <c>dotnet-trace report &lt;file&gt; topN</c>: the top methods by exclusive or inclusive samples.</summary>
    public async Task<string> TopMethodsAsync(string tracePath, int count, bool inclusive) =>
        await Tools.OutputAsync(trace, ["report", tracePath, "topN", "-n", Invariant(count), .. inclusive ? (string[])["--inclusive"] : []],
            TimeSpan.FromMinutes(5)) ?? throw new InvalidOperationException("dotnet-trace report could not be started");

    /// <summary>The tools' version line, for the report's header.</summary>
    public async Task<string> VersionAsync() =>
        (await Tools.OutputAsync(trace, ["--version"]))?.Trim().Split('\n')[0] ?? "unknown";

    // dotnet-counters and dotnet-trace take --duration as dd:hh:mm:ss.
    private static string Span(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value.Days:00}:{value.Hours:00}:{value.Minutes:00}:{value.Seconds:00}");

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
