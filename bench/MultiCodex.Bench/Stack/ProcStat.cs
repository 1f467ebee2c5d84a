using System.Globalization;
using System.Runtime.InteropServices;

namespace MultiCodex.Bench.Stack;

/// <summary>
/// A measured server: one process, or a process and its children (nginx's master and workers). CPU time and
/// memory come from <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c>, read between runs, never during one.
/// </summary>
internal sealed partial class Watched(string name, int pid, bool withChildren)
{
    private const int ScClkTck = 2;
    private static readonly double TicksPerSecond = SysConf(ScClkTck) is > 0 and var ticks ? ticks : 100;

    public string Name { get; } = name;

    /// <summary>The process's id (for nginx, its master's).</summary>
    public int Pid => pid;

    /// <summary>User + system CPU seconds used so far by the process (all its threads) and, if asked, its children.</summary>
    public double CpuSeconds() => Pids().Sum(p => Stat(p) is { } fields ? (Field(fields, 14) + Field(fields, 15)) / TicksPerSecond : 0);

    /// <summary>Resident memory now (VmRSS), summed over the processes.</summary>
    public long RssBytes() => Pids().Sum(p => Status(p, "VmRSS:"));

    /// <summary>The highest resident memory each process has had (VmHWM), summed.</summary>
    public long PeakRssBytes() => Pids().Sum(p => Status(p, "VmHWM:"));

    private IEnumerable<int> Pids()
    {
        yield return pid;
        if (!withChildren)
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && child != pid && Stat(child) is { } fields && Field(fields, 4) == pid)
            {
                yield return child;
            }
        }
    }

    // Fields of /proc/<pid>/stat after the command name (which may hold spaces); field 3 (state) comes first.
    private static string[]? Stat(int process)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{process}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    // proc(5) numbers the fields from 1: pid, comm, state, ppid, …, utime (14), stime (15).
    private static long Field(string[] afterCommand, int number) =>
        long.Parse(afterCommand[number - 3], CultureInfo.InvariantCulture);

    private static long Status(int process, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var kilobytes = line[key.Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
