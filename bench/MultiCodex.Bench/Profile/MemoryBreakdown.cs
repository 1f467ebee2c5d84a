using System.Globalization;

namespace MultiCodex.Bench.Profile;

/// <summary>
/// Where a process's resident memory is (MB). From <c>/proc/&lt;pid&gt;/status</c>: anonymous (the GC's heap, native
/// heaps, stacks), file-backed (the runtime's libraries and the assemblies, mapped), and shared memory — for .NET
/// almost all of it <c>/memfd:doublemapper</c>, the JIT's code and stubs mapped twice (write and execute) under W^X.
/// From <c>smaps_rollup</c>: the clean shared pages (library pages other .NET processes on the machine share too)
/// and the private dirty ones; from <c>smaps</c>: the largest mappings by resident size.
/// </summary>
internal sealed record MemoryBreakdown(double RssMb, double AnonymousMb, double FileMb, double SharedMemoryMb, double PeakRssMb, double PssMb,
    double SharedCleanMb, double PrivateDirtyMb, IReadOnlyDictionary<string, double> Mappings)
{
    public const string AnonymousMapping = "[anonymous]";

    public static MemoryBreakdown Read(int pid)
    {
        var status = Fields(File.ReadLines($"/proc/{pid}/status"));
        var rollup = Fields(File.ReadLines($"/proc/{pid}/smaps_rollup").Skip(1));
        return new MemoryBreakdown(status.GetValueOrDefault("VmRSS"), status.GetValueOrDefault("RssAnon"), status.GetValueOrDefault("RssFile"),
            status.GetValueOrDefault("RssShmem"), status.GetValueOrDefault("VmHWM"), rollup.GetValueOrDefault("Pss"),
            rollup.GetValueOrDefault("Shared_Clean"), rollup.GetValueOrDefault("Private_Dirty"), ResidentByMapping(pid));
    }

    // "Name:   1234 kB" lines, in MB.
    private static Dictionary<string, double> Fields(IEnumerable<string> lines)
    {
        var fields = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[2] == "kB" && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var kilobytes))
            {
                fields[parts[0].TrimEnd(':')] = kilobytes / 1024;
            }
        }
        return fields;
    }

    // smaps(5): a header line per mapping ("start-end perms offset dev inode [path]"), then "Key: value kB" lines.
    private static Dictionary<string, double> ResidentByMapping(int pid)
    {
        var resident = new Dictionary<string, double>(StringComparer.Ordinal);
        var current = AnonymousMapping;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-', StringComparison.Ordinal) && !parts[0].EndsWith(':'))
            {
                current = parts.Length == 6 ? Path.GetFileName(parts[5].Trim()) is { Length: > 0 } file ? file : parts[5].Trim() : AnonymousMapping;
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                var kilobytes = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                resident[current] = resident.GetValueOrDefault(current) + kilobytes / 1024;
            }
        }
        return resident;
    }
}
