using System.Diagnostics;
using System.Globalization;
using System.Text;
using MultiCodex.Bench.Stack;

namespace MultiCodex.Bench.Profile;

/// <summary>
/// dotnet-counters and dotnet-trace (10.0), as bench/run.sh installs them under <c>artifacts/tools</c>. Each
/// collection attaches to one pid over the runtime's diagnostic port and stops by itself after <c>--duration</c>;
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

    // Attaching starts a .NET tool and a session in the target: seconds on a busy machine.
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Samples the runtime counters of <paramref name="pid"/> once a second into a CSV file (written when the
    /// collection ends). Its <see cref="ToolRun.Recording"/> ends when the tool says its session has started.
    /// </summary>
    public ToolRun CollectCounters(int pid, TimeSpan duration, string csvPath)
    {
        var recording = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completion = RunAsync(counters, ["collect", "-p", Invariant(pid), "--counters", RuntimeCounters, "--format", "csv",
            "--refresh-interval", "1", "--duration", Span(duration), "-o", csvPath], duration + StopMargin,
            line => { if (line.Contains("Starting a counter session", StringComparison.Ordinal)) { recording.TrySetResult(); } });
        return new ToolRun(Written(completion, csvPath, "dotnet-counters"), WhenRecordingAsync(recording.Task, completion, csvPath));
    }

    /// <summary>
    /// Records a sampled-stacks trace of <paramref name="pid"/> into a .nettrace file. The file grows while the
    /// session records, so <see cref="ToolRun.Recording"/> ends when it has its first bytes.
    /// </summary>
    public ToolRun CollectTrace(int pid, TimeSpan duration, string tracePath)
    {
        File.Delete(tracePath);
        var completion = RunAsync(trace, ["collect", "-p", Invariant(pid), "--profile", TraceProfile,
            "--duration", Span(duration), "-o", tracePath], duration + StopMargin, _ => { });
        return new ToolRun(Written(completion, tracePath, "dotnet-trace"), WhenRecordingAsync(FileGrowsAsync(tracePath, completion), completion, tracePath));
    }

    private static async Task<string> Written(Task<string> completion, string path, string tool)
    {
        var output = await completion;
        return File.Exists(path) ? path : throw new InvalidOperationException($"{tool} wrote no {path}:\n{output}");
    }

    private static async Task FileGrowsAsync(string path, Task<string> completion)
    {
        var waited = Stopwatch.StartNew();
        while (!(File.Exists(path) && new FileInfo(path).Length > 0))
        {
            if (completion.IsCompleted || waited.Elapsed > AttachTimeout)
            {
                throw new TimeoutException($"{Path.GetFileName(path)} was not written");
            }
            await Task.Delay(100);
        }
    }

    // Bounded: fails when the tool ends before it records, or does not attach in time.
    private static async Task WhenRecordingAsync(Task recording, Task<string> completion, string path)
    {
        await Task.WhenAny(recording, completion, Task.Delay(AttachTimeout));
        if (completion.IsCompleted)
        {
            throw new InvalidOperationException($"{Path.GetFileName(path)}: the tool ended before it recorded:\n{await completion}");
        }
        if (!recording.IsCompletedSuccessfully)
        {
            throw new TimeoutException($"{Path.GetFileName(path)}: the tool did not attach within {AttachTimeout.TotalSeconds:0} s");
        }
    }

    // Runs a tool to its end (killed after the timeout), handing each output line to onLine as it comes.
    private static async Task<string> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout, Action<string> onLine)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        void Received(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
                onLine(line);
            }
        }
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Received;
        process.ErrorDataReceived += Received;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds:0} s");
        }
        lock (output)
        {
            return output.ToString();
        }
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

/// <summary>A collection under way: its file's path once the tool has ended, and a signal once it records.</summary>
internal sealed record ToolRun(Task<string> Completion, Task Recording);
