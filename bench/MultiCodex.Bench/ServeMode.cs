using System.Runtime.InteropServices;
using MultiCodex.Bench.Scenarios;
using MultiCodex.Bench.Workload;

namespace MultiCodex.Bench;

/// <summary>
/// <c>--serve</c>: the benchmark's stack, kept up for measuring by hand (a profiler attached to the Edge, a runtime
/// setting tried under wrk). Prints each process's pid and writes one wrk command per route and body to
/// <c>wrk-commands.sh</c> in the run's folder (a file: the commands hold the client key and the fake accounts'
/// tokens), then waits until the harness gets SIGINT or SIGTERM, and stops the stack as a run does.
/// </summary>
internal static class ServeMode
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        foreach (var (name, watched) in context.Stack.Watched)
        {
            Console.WriteLine($"pid {name} {watched.Pid}");
        }
        var script = Path.Combine(context.Options.BenchDir, "wrk", "post.lua");
        var commands = new List<string>();
        foreach (var route in context.Routes)
        {
            foreach (var (size, file) in route.BodyFiles)
            {
                var headers = string.Join(' ', route.Headers.Select(h => $"'{h.Key}: {h.Value}'"));
                commands.Add($"# {route.Name}, {Route.SizeLabel(size)}");
                commands.Add($"wrk -t 2 -c 64 -d 10s -s {script} {route.Url} -- {file} {headers}");
            }
        }
        var commandsFile = Path.Combine(context.Options.RunDir, "wrk-commands.sh");
        await File.WriteAllLinesAsync(commandsFile, commands);
        Console.WriteLine($"wrk commands: {commandsFile}");
        Console.WriteLine("serving; stop with SIGINT or SIGTERM");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stop.Task;
        return 0;

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // the harness stops the stack itself, then exits
            stop.TrySetResult();
        }
    }
}
