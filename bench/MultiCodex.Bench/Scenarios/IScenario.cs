using MultiCodex.Bench.Report;
using MultiCodex.Bench.Stack;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>
/// One kind of measurement. The harness runs every scenario once per round, interleaved with the others, and
/// the report shows the medians of whatever samples a scenario adds (Report/Metrics.cs names their columns).
/// A new scenario — for example a multi-turn conversation over HTTP and WebSocket — is one class and one line in
/// <see cref="ScenarioCatalog"/>.
/// </summary>
internal interface IScenario
{
    /// <summary>The name used in <c>--scenarios</c>.</summary>
    string Key { get; }

    /// <summary>The section title in the results.</summary>
    string Name { get; }

    /// <summary>Correctness only, in seconds: every route answers as a client expects. No timing is asserted.</summary>
    Task SmokeAsync(BenchContext context, SmokeChecks checks);

    /// <summary>One round of measurements, added to <see cref="BenchContext.Results"/>.</summary>
    Task RunRoundAsync(BenchContext context, int round);
}

/// <summary>What a scenario works with.</summary>
internal sealed record BenchContext(BenchOptions Options, BenchStack Stack, IReadOnlyList<Route> Routes, StreamClient Client, Wrk? Wrk,
    Results Results, Action<string> Log)
{
    public Route Route(string name) => Routes.Single(r => r.Name == name);

    /// <summary>The routes in an order that moves by one each round, so no route always runs first (or right after another).</summary>
    public IReadOnlyList<Route> RoutesForRound(int round) =>
        Routes.Skip((round - 1) % Routes.Count).Concat(Routes.Take((round - 1) % Routes.Count)).ToList();
}

/// <summary>The scenarios in the order a round runs them.</summary>
internal static class ScenarioCatalog
{
    // Long streams first: the memory per stream is best read before the request/response load has grown the heaps.
    public static IReadOnlyList<IScenario> All { get; } = [new LongStreamScenario(), new RequestResponseScenario(), new FirstByteScenario(), new ConversationScenario()];
}

/// <summary>The outcome of the smoke checks; each line is printed as it is decided.</summary>
internal sealed class SmokeChecks
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public void Add(string name, string? failure)
    {
        if (failure is null)
        {
            Passed++;
            Console.WriteLine($"  ok    {name}");
        }
        else
        {
            Failed++;
            Console.WriteLine($"  FAIL  {name}: {failure}");
        }
    }

    /// <summary>Runs a check; an exception is a failure with its message.</summary>
    public async Task RunAsync(string name, Func<Task<string?>> check)
    {
        string? failure;
        try
        {
            failure = await check();
        }
        catch (Exception e)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }
        Add(name, failure);
    }
}

/// <summary>CPU seconds of every measured server at one moment.</summary>
internal sealed class CpuSnapshot
{
    private readonly Dictionary<string, double> _seconds;

    private CpuSnapshot(Dictionary<string, double> seconds) => _seconds = seconds;

    public static CpuSnapshot Take(BenchStack stack) => new(stack.Watched.ToDictionary(w => w.Key, w => w.Value.CpuSeconds()));

    /// <summary>CPU seconds spent by <paramref name="role"/> since <paramref name="before"/>.</summary>
    public double Since(CpuSnapshot before, string role) =>
        _seconds.TryGetValue(role, out var now) && before._seconds.TryGetValue(role, out var then) ? now - then : double.NaN;
}
