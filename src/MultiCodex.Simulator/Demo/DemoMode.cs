using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Demo;

/// <summary>Synthetic accounts for the demo (<c>run.sh --demo</c>) whose usage creeps up slowly enough that the pool
/// stays usable for hours, plus one "hot" account that reaches its limit within minutes and recovers when its 5-hour
/// window resets, so a block and its end can be watched. Usage moves on the fake's clock.</summary>
internal sealed class DemoMode(FakeChatGpt sim)
{
    /// <summary>The demo's accounts (any other email can sign in too: the fake creates it).</summary>
    public static readonly string[] Emails = ["alice@demo.test", "bob@demo.test", "carol@demo.test", "erin@demo.test"];

    /// <summary>The account that hits its limit within minutes.</summary>
    public const string HotEmail = "erin@demo.test";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    // Percent per tick: ~0.12 %/min on the 5-hour window (7 %/h), far less on weekly windows.
    private const double PrimaryPerTick = 0.02;
    private const double WeeklyPerTick = 0.004;

    // The hot account: ~1.5 %/min, from 88 %, so it is blocked about 8 minutes in and free again at its reset.
    private const double HotPerTick = 0.25;
    private static readonly TimeSpan HotReset = TimeSpan.FromMinutes(20);

    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _ticks;

    /// <summary>Drift ticks applied so far (tests wait on it after advancing a fake clock).</summary>
    public int Ticks => Volatile.Read(ref _ticks);

    /// <summary>Adds the demo accounts to a fresh fake (not to one restored from its state file).</summary>
    public void Seed()
    {
        var now = sim.TimeProvider.GetUtcNow();

        var alice = sim.AddAccount(Emails[0], "plus");
        alice.SetPrimaryUsage(12);
        alice.SetSecondaryUsage(30);

        var bob = sim.AddAccount(Emails[1], "pro");
        bob.SetPrimaryUsage(55, now.AddHours(2));
        bob.SetSecondaryUsage(61);

        var carol = sim.AddAccount(Emails[2], "free");
        carol.WeeklyOnlyPrimary = true;
        carol.SetPrimaryUsage(70, now.AddDays(3));

        var erin = sim.AddAccount(HotEmail, "plus");
        erin.SetPrimaryUsage(88, now.Add(HotReset));
        erin.SetSecondaryUsage(40);
        if (sim.StateFile is { } file)
        {
            file.DemoFastDriftUntil = now.Add(HotReset);
        }

        sim.SaveState();
    }

    /// <summary>Every <see cref="Interval"/>, adds a little usage to every account and saves the state, until cancelled.</summary>
    public async Task DriftAsync(CancellationToken cancellationToken)
    {
        var fastUntil = sim.StateFile?.DemoFastDriftUntil ?? sim.TimeProvider.GetUtcNow().Add(HotReset);
        using var timer = new PeriodicTimer(Interval, sim.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Tick(sim.TimeProvider.GetUtcNow() < fastUntil);
                sim.SaveState();
                Ticked();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    /// <summary>Completes once <paramref name="count"/> ticks have been applied.</summary>
    public Task WaitForTicksAsync(int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ticks >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    private void Ticked()
    {
        List<TaskCompletionSource> ready;
        lock (_gate)
        {
            _ticks++;
            ready = _waiters.Where(w => w.Count <= _ticks).Select(w => w.Signal).ToList();
            _waiters.RemoveAll(w => w.Count <= _ticks);
        }

        ready.ForEach(signal => signal.TrySetResult());
    }

    private void Tick(bool hotIsFast)
    {
        foreach (var account in sim.Accounts)
        {
            var usage = account.GetUsage();
            var hot = hotIsFast && account.Email == HotEmail;
            var primaryStep = hot ? HotPerTick : usage.Secondary is null ? WeeklyPerTick : PrimaryPerTick;
            account.SetPrimaryUsage(Math.Min(100, usage.Primary.UsedPercent + primaryStep));
            if (usage.Secondary is { } secondary)
            {
                account.SetSecondaryUsage(Math.Min(100, secondary.UsedPercent + WeeklyPerTick));
            }
        }
    }
}
