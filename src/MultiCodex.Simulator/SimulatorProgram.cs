using MultiCodex.Simulator.Demo;

namespace MultiCodex.Simulator;

/// <summary>Standalone entry point: <c>dotnet MultiCodex.Simulator.dll [--demo]</c>, listening on <c>SIMULATOR_URL</c>
/// (default http://127.0.0.1:4019). <c>--demo</c> or <c>SIMULATOR_DEMO=1</c> adds synthetic accounts whose usage moves,
/// lets any email sign in, and keeps its state in <c>SIMULATOR_STATE_FILE</c> (when set) so a restart keeps accounts
/// and tokens. <c>SIMULATOR_WEBSOCKETS=1</c> serves the Responses WebSocket.</summary>
internal static class SimulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var demo = args.Contains("--demo") || Environment.GetEnvironmentVariable("SIMULATOR_DEMO") is "1" or "true";
        var options = new FakeChatGptOptions
        {
            Url = Environment.GetEnvironmentVariable("SIMULATOR_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:4019",
            StateFile = Environment.GetEnvironmentVariable("SIMULATOR_STATE_FILE") is { Length: > 0 } file ? file : null,
            CreateAccountsOnSignIn = demo,
            EnableWebSockets = Environment.GetEnvironmentVariable("SIMULATOR_WEBSOCKETS") is "1" or "true",
            ConfigureLogging = logging => logging
                .AddSimpleConsole(console => console.SingleLine = true)
                .AddFilter("Microsoft.AspNetCore", LogLevel.Warning),
        };

        await using var sim = await FakeChatGpt.StartAsync(options);
        using var stopping = new CancellationTokenSource();
        var drift = Task.CompletedTask;
        if (demo)
        {
            var mode = new DemoMode(sim);
            if (!sim.RestoredFromStateFile)
            {
                mode.Seed();
            }

            drift = mode.DriftAsync(stopping.Token);
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
