using MultiCodex.Bench.Stack;

namespace MultiCodex.Bench.Report;

/// <summary>Resident memory of each server at two moments: idle after start, and after all the load.</summary>
internal static class MemoryFigures
{
    public const string ScenarioName = "Memory";
    public const string Idle = "idle after start";
    public const string AfterLoad = "after load";

    public static void Record(Results results, BenchStack stack, string moment)
    {
        foreach (var (role, watched) in stack.Watched)
        {
            results.Add(ScenarioName, role, moment, "rss_mb", 1, watched.RssBytes() / 1048576.0);
            results.Add(ScenarioName, role, moment, "peak_rss_mb", 1, watched.PeakRssBytes() / 1048576.0);
        }
    }
}
