using MultiCodex.Simulator.Demo;

namespace MultiCodex.Simulator;

/// <summary>Standalone entry point: <c>dotnet MultiCodex.Simulator.dll [--demo]</c>, listening on <c>SIMULATOR_URL</c>
/// (default http://127.0.0.1:4019). <c>--demo</c> or <c>SIMULATOR_DEMO=1</c> adds synthetic accounts whose usage moves.</summary>
internal static class SimulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var demo = args.Contains("--demo") || Environment.GetEnvironmentVariable("SIMULATOR_DEMO") is "1" or "true";
        var options = new FakeChatGptOptions
        {
            Url = Environment.GetEnvironmentVariable("SIMULATOR_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:4019",
            ConfigureLogging = logging => logging
                .AddSimpleConsole(console => console.SingleLine = true)
                .AddFilter("Microsoft.AspNetCore", LogLevel.Warning),
        };

        await using var sim = await FakeChatGpt.StartAsync(options);
        using var stopping = new CancellationTokenSource();
        var drift = Task.CompletedTask;
        if (demo)
        {
            DemoMode.Seed(sim);
            drift = DemoMode.DriftAsync(sim, stopping.Token);
        }

        Console.WriteLine($"ChatGPT simulator: issuer {sim.IssuerUrl}, backend {sim.BackendBaseUrl}");
        foreach (var account in sim.Accounts)
        {
            Console.WriteLine($"  account {account}");
        }

        await sim.WaitForShutdownAsync();
        await stopping.CancelAsync();
        await drift;
        return 0;
    }
}
