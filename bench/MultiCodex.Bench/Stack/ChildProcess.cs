using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MultiCodex.Bench.Stack;

/// <summary>
/// A server the harness started, as a real child process whose output goes straight to a log file (the harness
/// never reads it on the hot path). Stopped by its own pid only: SIGTERM, then SIGKILL after a grace period.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="program"/>; <c>sh -c 'exec …'</c> only redirects, so the pid is the program's.</summary>
    public static ChildProcess Start(string name, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in (string[])["-c", "exec \"$0\" \"$@\" >\"$BENCH_CHILD_LOG\" 2>&1", program, .. args])
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["BENCH_CHILD_LOG"] = logPath;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        return new ChildProcess(name, process, logPath);
    }

    /// <summary>Waits until the log has a line matching <paramref name="pattern"/>; fails when the process exits or time runs out.</summary>
    public async Task<Match> WaitForLogAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var text = ReadLog();
            if (pattern.Match(text) is { Success: true } match)
            {
                return match;
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready; log:\n{Tail(text)}");
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s; log:\n{Tail(ReadLog())}");
    }

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        _ = Kill(_process.Id, SigTerm);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
