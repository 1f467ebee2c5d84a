using System.Globalization;
using System.Text.Json;
using MultiCodex.Bench.Stack;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench.Scenarios;

/// <summary>What wrk measured in one run. Latencies are of the full response (wrk reads each response to its end).</summary>
internal sealed record WrkResult(long Requests, double Seconds, long Errors, double P50Ms, double P90Ms, double P99Ms, double MeanMs)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>Runs wrk (Debian's package) with bench/wrk/post.lua against one route.</summary>
internal sealed class Wrk(string binary, string script)
{
    public static Wrk? Find(string benchDir) =>
        Tools.Find("wrk") is { } binary ? new Wrk(binary, Path.Combine(benchDir, "wrk", "post.lua")) : null;

    public async Task<WrkResult> RunAsync(Route route, BodySize size, int connections, TimeSpan duration)
    {
        var threads = Math.Min(connections, Environment.ProcessorCount);
        string[] args =
        [
            "-t", Invariant(threads), "-c", Invariant(connections), "-d", Invariant((int)duration.TotalSeconds) + "s", "--timeout", "10s",
            "-s", script, route.Url.ToString(), "--", route.BodyFiles[size],
            .. route.Headers.Select(h => $"{h.Key}: {h.Value}"),
        ];
        var output = await Tools.OutputAsync(binary, args, duration + TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("wrk could not be started");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK_JSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("wrk printed no result:\n" + output);
        using var json = JsonDocument.Parse(line["WRK_JSON ".Length..]);
        var root = json.RootElement;
        var errors = root.GetProperty("errors").EnumerateObject().Sum(e => e.Value.GetInt64());
        var latency = root.GetProperty("latency_us");
        return new WrkResult(
            root.GetProperty("requests").GetInt64(),
            root.GetProperty("duration_us").GetInt64() / 1e6,
            errors,
            latency.GetProperty("p50").GetDouble() / 1000,
            latency.GetProperty("p90").GetDouble() / 1000,
            latency.GetProperty("p99").GetDouble() / 1000,
            latency.GetProperty("mean").GetDouble() / 1000);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
