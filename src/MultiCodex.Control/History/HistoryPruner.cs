using Microsoft.Extensions.Options;

namespace MultiCodex.Control.History;

/// <summary>Keeps the history within its retention: prunes at start and every <see cref="Interval"/> after (through the writer).</summary>
public sealed class HistoryPruner(HistoryWriter writer, IOptions<HistoryOptions> options, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Prune();
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Prune();
        }
    }

    private void Prune() => writer.TryWrite(new PruneEntry(time.GetUtcNow() - options.Value.Retention));
}
