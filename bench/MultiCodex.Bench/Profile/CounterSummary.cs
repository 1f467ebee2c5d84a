using System.Globalization;

namespace MultiCodex.Bench.Profile;

/// <summary>
/// The medians of the runtime counters dotnet-counters wrote (CSV: timestamp, provider, counter name, type, value;
/// one row per counter per second). A median over the seconds of a load ignores the first and last partial second.
/// </summary>
internal sealed class CounterSummary
{
    /// <summary>The counters the profile shows, in order, with how a reader should read them.</summary>
    public static readonly (string Counter, string Label)[] Rows =
    [
        ("CPU Usage (%)", "CPU, % of all cores"),
        ("Working Set (MB)", "working set, MB"),
        ("GC Heap Size (MB)", "GC heap size, MB"),
        ("GC Committed Bytes (MB)", "GC committed, MB"),
        ("Allocation Rate (B / 1 sec)", "allocated, MB/s"),
        ("Gen 0 GC Count (Count / 1 sec)", "gen0 GCs /s"),
        ("Gen 1 GC Count (Count / 1 sec)", "gen1 GCs /s"),
        ("Gen 2 GC Count (Count / 1 sec)", "gen2 GCs /s"),
        ("% Time in GC since last GC (%)", "% time in GC (since last GC)"),
        ("Time paused by GC (ms / 1 sec)", "GC pause, ms/s"),
        ("ThreadPool Thread Count", "thread-pool threads"),
        ("ThreadPool Queue Length", "thread-pool queue length"),
        ("ThreadPool Completed Work Item Count (Count / 1 sec)", "thread-pool work items /s"),
        ("Monitor Lock Contention Count (Count / 1 sec)", "lock contentions /s"),
        ("Exception Count (Count / 1 sec)", "exceptions /s"),
    ];

    public const string AllocationRate = "Allocation Rate (B / 1 sec)";

    private readonly Dictionary<string, List<double>> _samples;

    private CounterSummary(Dictionary<string, List<double>> samples) => _samples = samples;

    public static CounterSummary Read(string csvPath)
    {
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(csvPath).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length < 5 || !double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            // A counter's name has no comma today; joining keeps one that would.
            var name = string.Join(',', fields[2..^2]);
            if (!samples.TryGetValue(name, out var list))
            {
                samples[name] = list = [];
            }
            list.Add(value);
        }
        return new CounterSummary(samples);
    }

    /// <summary>The median of a counter's samples, or null when it was not reported.</summary>
    public double? Median(string counter)
    {
        if (!_samples.TryGetValue(counter, out var values) || values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median in the unit its label names (bytes per second shown as MB/s).</summary>
    public double? Display(string counter) =>
        counter == AllocationRate ? Median(counter) / 1048576.0 : Median(counter);
}
