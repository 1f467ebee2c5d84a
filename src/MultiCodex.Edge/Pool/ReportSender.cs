using Grpc.Core;
using MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// Delivers the report queue to Control in batches: every <see cref="BatchInterval"/>, or at once when something
/// urgent waits (a block, a new binding: other Edges must learn them within a second). While Control is away the
/// reports stay queued and delivery is retried with capped backoff; nothing waits for it on the request path.
/// When the Edge stops, what is still queued gets a last, bounded chance to go out.
/// </summary>
internal sealed partial class ReportSender(
    ReportQueue queue, PoolView view, PoolControlClient control, EdgeIdentity identity, EdgeOptions options, TimeProvider time,
    ILogger<ReportSender> logger) : BackgroundService
{
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);
    private const int LargestBatch = 512;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private int _batchSize = LargestBatch;
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        queue.Overflowed += () => Log.QueueFull(logger, queue.Capacity);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await queue.WaitAsync(stoppingToken);
                if (_failures == 0 && queue.Count < _batchSize)
                {
                    await queue.WaitForUrgentAsync(BatchInterval, stoppingToken);
                }
                if (!await SendOnceAsync(stoppingToken))
                {
                    await Task.Delay(Backoff(_failures), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The Edge is stopping: StopAsync flushes.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var drain = TimeSpan.FromSeconds(Math.Min(10, options.ShutdownDrain.TotalSeconds));
        if (!await FlushAsync(drain, cancellationToken) && queue.Count > 0)
        {
            Log.Undelivered(logger, queue.Count);
        }
    }

    /// <summary>Sends until the queue is empty; false when Control could not take it all within <paramref name="timeout"/>.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var bounded = new TimedToken(timeout, time, cancellationToken);
        try
        {
            while (queue.Count > 0)
            {
                if (!await SendOnceAsync(bounded.Token))
                {
                    await Task.Delay(Backoff(_failures), time, bounded.Token);
                }
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> SendOnceAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            var batch = queue.Peek(_batchSize);
            if (batch.Count == 0)
            {
                return true;
            }
            try
            {
                var reply = await control.ReportAsync(batch.Encode(identity.Id), cancellationToken);
                queue.RemoveThrough(reply.AppliedThrough);
                view.Acknowledged(reply.AppliedThrough, reply.Epoch, reply.Version);
                if (_failures > 0)
                {
                    Log.Delivered(logger, batch.Count, _failures);
                }
                _failures = 0;
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                // Larger than Control accepts (CONTROL_MAX_BODY_BYTES): smaller batches, and a single report that
                // can never fit is given up rather than blocking every report behind it.
                if (_batchSize == 1)
                {
                    queue.RemoveThrough(batch.FirstSequence);
                    Log.TooLarge(logger, batch.FirstSequence);
                }
                _batchSize = Math.Max(1, _batchSize / 2);
                return true;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (_failures++ == 0)
                {
                    Log.DeliveryFailed(logger, e.StatusCode, queue.Count);
                }
                return false;
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks((long)(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(Math.Max(failures - 1, 0), 8)) * (1 + Random.Shared.NextDouble() / 5)));

    private static partial class Log
    {
        [LoggerMessage(2411, LogLevel.Information, "Control cannot take reports right now ({Status}); keeping {Queued} queued and retrying")]
        public static partial void DeliveryFailed(ILogger logger, StatusCode status, int queued);

        [LoggerMessage(2412, LogLevel.Information, "Control takes reports again (after {Failures} failed tries); delivered a batch of {Count}")]
        public static partial void Delivered(ILogger logger, int count, int failures);

        [LoggerMessage(2413, LogLevel.Warning, "The report queue is full ({Capacity}): the oldest reports are being dropped until Control is back (metric multicodex_edge_pool_reports_dropped_total)")]
        public static partial void QueueFull(ILogger logger, int capacity);

        [LoggerMessage(2414, LogLevel.Warning, "{Count} reports could not reach Control before the Edge stopped")]
        public static partial void Undelivered(ILogger logger, int count);

        [LoggerMessage(2415, LogLevel.Error, "Report {Sequence} is larger than Control accepts (CONTROL_MAX_BODY_BYTES); dropped")]
        public static partial void TooLarge(ILogger logger, ulong sequence);
    }
}
