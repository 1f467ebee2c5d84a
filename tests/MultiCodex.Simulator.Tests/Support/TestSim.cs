using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>Starts a fake on a <see cref="FakeTimeProvider"/> and hands out loopback clients that never follow redirects.</summary>
internal static class TestSim
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static Task<FakeChatGpt> StartAsync(Action<FakeChatGptOptions>? configure = null)
    {
        var options = new FakeChatGptOptions { TimeProvider = new FakeTimeProvider(Epoch) };
        configure?.Invoke(options);
        return FakeChatGpt.StartAsync(options).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The fake clock of a fake started by <see cref="StartAsync"/>.</summary>
    public static FakeTimeProvider Clock(this FakeChatGpt sim) => (FakeTimeProvider)sim.TimeProvider;

    /// <summary>Runs <paramref name="work"/> while moving the fake clock on by <paramref name="step"/> each time a stream
    /// waits on it (and only then): a slow or dropping stream advances exactly as far as its pauses need.
    /// Returns how many times the clock was advanced.</summary>
    public static async Task<int> DriveAsync(this FakeChatGpt sim, Task work, TimeSpan step)
    {
        var advances = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!work.IsCompleted)
        {
            var paused = sim.WaitForPausedStreamAsync(timeout.Token);
            if (await Task.WhenAny(work, paused) == paused)
            {
                await paused;
                sim.Clock().Advance(step);
                advances++;
            }
        }

        await work;
        return advances;
    }

    public static HttpClient Client(FakeChatGpt sim) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = new Uri(sim.BaseUrl + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
}
