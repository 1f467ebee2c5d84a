using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace MultiCodex.Control.History;

/// <summary>
/// The one writer of <c>history.db</c>, off every request path: callers queue entries in a bounded channel and never
/// wait for the disk; this service writes them in batches, one transaction each. A failed batch is retried (with
/// backoff) and then given up on — logged and counted in <c>multicodex_control_history_dropped_total</c>, never
/// silently — so a broken disk degrades the history, never the proxy. On stop, what is queued is written first.
/// </summary>
public sealed partial class HistoryWriter(HistoryDatabase database, TimeProvider time, ILogger<HistoryWriter> logger) : BackgroundService
{
    public const int Capacity = 50_000;
    private const int MaxBatch = 2_000;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly Channel<HistoryEntry> _queue = Channel.CreateBounded<HistoryEntry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues one entry; false (counted) when the queue is full or the writer has stopped.</summary>
    public bool TryWrite(HistoryEntry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            HistoryMetrics.Enqueued();
            return true;
        }
        HistoryMetrics.DroppedEntries("queue_full", 1);
        return false;
    }

    /// <summary>
    /// Queues <paramref name="entries"/>; the task completes (true) once they are committed, or (false) once they were
    /// given up on. Callers that must not wait simply do not await it.
    /// </summary>
    public Task<bool> WriteAsync(IEnumerable<HistoryEntry> entries)
    {
        foreach (var entry in entries)
        {
            TryWrite(entry);
        }
        var marker = new CommitMarker();
        return _queue.Writer.TryWrite(marker) ? marker.Committed.Task : Task.FromResult(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loop drain what is queued (bounded by the host's shutdown time), then stop.
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var connection = database.Open();
        await Pragma(connection, "PRAGMA synchronous = NORMAL");
        var batch = new List<HistoryEntry>(MaxBatch);
        // Not cancelled by stoppingToken: on stop the channel is completed and the loop drains it.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }
            var data = batch.Where(e => e is not CommitMarker).ToList();
            HistoryMetrics.Dequeued(data.Count);
            var committed = data.Count == 0 || await WriteWithRetriesAsync(connection, data, stoppingToken);
            foreach (var marker in batch.OfType<CommitMarker>())
            {
                marker.Committed.TrySetResult(committed);
            }
            batch.Clear();
        }
    }

    private async Task<bool> WriteWithRetriesAsync(SqliteConnection connection, List<HistoryEntry> entries, CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                HistoryBatch.Apply(connection, entries);
                HistoryMetrics.WroteBatch(entries.Count);
                return true;
            }
            catch (SqliteException e)
            {
                HistoryMetrics.WriteFailed();
                if (attempt == RetryDelays.Length || stoppingToken.IsCancellationRequested)
                {
                    HistoryMetrics.DroppedEntries("write_failed", entries.Count);
                    Log.GaveUp(logger, entries.Count, attempt + 1, e.Message);
                    return false;
                }
                Log.WriteFailed(logger, entries.Count, e.Message, RetryDelays[attempt].TotalSeconds);
                try
                {
                    await Task.Delay(RetryDelays[attempt], time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last try below, no more waiting.
                }
            }
        }
    }

    private static async Task Pragma(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(1602, LogLevel.Warning, "Writing {Count} history entries failed ({Error}); trying again in {DelaySeconds} s")]
        public static partial void WriteFailed(ILogger logger, int count, string error, double delaySeconds);

        [LoggerMessage(1603, LogLevel.Error, "Gave up writing {Count} history entries after {Tries} tries ({Error}); they are counted in multicodex_control_history_dropped_total")]
        public static partial void GaveUp(ILogger logger, int count, int tries, string error);
    }
}
