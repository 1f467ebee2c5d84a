namespace MultiCodex.Simulator.Demo;

/// <summary>Synthetic accounts for the demo, whose usage creeps up over time so dashboards have something to show.</summary>
internal static class DemoMode
{
    private static readonly TimeSpan DriftInterval = TimeSpan.FromSeconds(10);

    public static void Seed(FakeChatGpt sim)
    {
        var now = sim.TimeProvider.GetUtcNow();

        var alice = sim.AddAccount("alice@demo.test", "plus");
        alice.SetPrimaryUsage(12);
        alice.SetSecondaryUsage(30);

        var bob = sim.AddAccount("bob@demo.test", "pro");
        bob.SetPrimaryUsage(55, now.AddHours(2));
        bob.SetSecondaryUsage(71);

        var carol = sim.AddAccount("carol@demo.test", "free");
        carol.WeeklyOnlyPrimary = true;
        carol.SetPrimaryUsage(80, now.AddDays(3));

        var erin = sim.AddAccount("erin@demo.test", "plus");
        erin.SetPrimaryUsage(100, now.AddMinutes(20));
        erin.SetSecondaryUsage(64);
    }

    /// <summary>Every few seconds, adds a little usage to every account until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task DriftAsync(FakeChatGpt sim, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(DriftInterval, sim.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var account in sim.Accounts)
                {
                    var usage = account.GetUsage();
                    account.SetPrimaryUsage(Math.Min(100, usage.Primary.UsedPercent + Random.Shared.NextDouble() * 2));
                    if (usage.Secondary is { } secondary)
                    {
                        account.SetSecondaryUsage(Math.Min(100, secondary.UsedPercent + Random.Shared.NextDouble() * 0.5));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
