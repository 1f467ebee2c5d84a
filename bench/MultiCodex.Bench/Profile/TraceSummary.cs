using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiCodex.Bench.Profile;

/// <summary>One method of <c>dotnet-trace report topN</c>: its share of all samples, inclusive and exclusive.</summary>
internal sealed record MethodShare(string Method, double InclusivePercent, double ExclusivePercent);

/// <summary>
/// The top methods of a sampled-stacks trace. The sample profiler records every managed thread, running or not, so
/// threads blocked in a wait (idle thread-pool workers, timers, the console logger's queue) take a share of the
/// samples. <see cref="Running"/> removes those blocked leaves and rescales the rest: an estimate of where the CPU
/// goes. Spinning (a thread-pool worker or a lock spinning before it blocks) burns CPU, so it stays.
/// </summary>
internal sealed partial class TraceSummary
{
    // Leaves where a thread is blocked in the kernel; their samples are waiting, not working.
    private static readonly string[] WaitLeaves =
    [
        "Monitor.Wait(", "WaitHandle.WaitOne", "WaitHandle.WaitMultiple", "LowLevelLifoSemaphore.WaitNative(", "Thread.Sleep(",
        "Thread.SleepInternal(", "Interop+Sys.WaitForSocketEvents(", "LowLevelMonitor.Wait(",
    ];

    // Rows that are the trace's structure, on every stack: they say nothing about where the time goes.
    private static readonly string[] StructureRows = ["(Non-Activities)", "Threads", "Thread.StartCallback()"];

    /// <summary>By inclusive share, without the structure rows and the blocked waits.</summary>
    public required IReadOnlyList<MethodShare> Inclusive
    {
        get;
        init => field = [.. value.Where(m => !StructureRows.Contains(m.Method) && !IsWait(m.Method))];
    }

    public required IReadOnlyList<MethodShare> Exclusive { get; init; }

    /// <summary>The share of all samples whose leaf was a blocked wait.</summary>
    public double WaitingPercent => Exclusive.Where(m => IsWait(m.Method)).Sum(m => m.ExclusivePercent);

    /// <summary>The exclusive list without the blocked waits, each as a share of the samples that were not blocked.</summary>
    public IReadOnlyList<MethodShare> Running(int count)
    {
        var busy = 100 - WaitingPercent;
        return busy <= 0 ? [] : Exclusive.Where(m => !IsWait(m.Method))
            .Select(m => m with { ExclusivePercent = m.ExclusivePercent / busy * 100 })
            .Take(count).ToList();
    }

    /// <summary>Reads the report's lines <c>  7.  Method(args)   12.5%   3.1%</c>; the headings and the rest are skipped.</summary>
    public static IReadOnlyList<MethodShare> Parse(string reportText) =>
        reportText.Split('\n').Select(line => Row().Match(line)).Where(m => m.Success)
            .Select(m => new MethodShare(m.Groups["method"].Value.Trim(), Percent(m.Groups["inclusive"].Value), Percent(m.Groups["exclusive"].Value)))
            .ToList();

    private static bool IsWait(string method) => WaitLeaves.Any(w => method.Contains(w, StringComparison.Ordinal));

    private static double Percent(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*\d+\.\s+(?<method>.+?)\s+(?<inclusive>[\d.]+)%\s+(?<exclusive>[\d.]+)%\s*$")]
    private static partial Regex Row();
}
