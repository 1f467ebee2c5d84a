using System.Diagnostics;

namespace MultiCodex.Bench.Stack;

/// <summary>Finds and runs the outside programs the benchmark uses (nginx, wrk, git, dotnet).</summary>
internal static class Tools
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a short command and returns what it printed (stdout then stderr), or null when it cannot run.</summary>
    public static async Task<string?> OutputAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"{program} did not finish within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s");
            }
            return (await stdout) + (await stderr);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
