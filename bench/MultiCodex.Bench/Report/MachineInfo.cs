using System.Runtime.InteropServices;
using MultiCodex.Bench.Stack;

namespace MultiCodex.Bench.Report;

/// <summary>Where and with what a run was made: the figures mean little without it.</summary>
internal sealed record MachineInfo(string Date, string Cpu, int Cores, double MemoryGiB, string Os, string Kernel, string DotnetSdk,
    string DotnetRuntime, string Nginx, string Wrk, string Commit, string LoadAverageBefore)
{
    public static async Task<MachineInfo> CollectAsync(string repoRoot)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "Linux"
            : "Linux";
        var commit = (await Tools.OutputAsync("git", ["-C", repoRoot, "rev-parse", "--short=12", "HEAD"]))?.Trim() ?? "unknown";
        var dirty = (await Tools.OutputAsync("git", ["-C", repoRoot, "status", "--porcelain", "--untracked-files=no"]))?.Trim().Length > 0;
        return new MachineInfo(
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            cpu,
            Environment.ProcessorCount,
            Math.Round(double.Parse(memoryKb, System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024, 1),
            os,
            (await File.ReadAllTextAsync("/proc/sys/kernel/osrelease")).Trim(),
            (await Tools.OutputAsync("dotnet", ["--version"]))?.Trim() ?? "unknown",
            RuntimeInformation.FrameworkDescription,
            FirstLine(Stack.Nginx.Binary is { } nginx ? await Tools.OutputAsync(nginx, ["-v"]) : null) ?? "not installed",
            FirstLine(Tools.Find("wrk") is { } wrk ? await Tools.OutputAsync(wrk, ["-v"]) : null) ?? "not installed",
            commit + (dirty ? " (with uncommitted changes)" : ""),
            LoadAverage());
    }

    /// <summary>The 1, 5 and 15 minute load averages: anything else running on the machine shows here.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string? FirstLine(string? text) => text?.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim();
}
