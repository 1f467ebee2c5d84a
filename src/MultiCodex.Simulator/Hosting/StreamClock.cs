namespace MultiCodex.Simulator.Hosting;

/// <summary>Every pause inside a stream (slow events, the grace before a scripted drop) waits on the fake's
/// <see cref="TimeProvider"/>, so a test on a fake clock decides when a slow stream moves on. A test first waits
/// until a stream has armed its timer (<see cref="WaitForPauseAsync"/>), then advances the clock.</summary>
internal sealed class StreamClock(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _paused;

    /// <summary>Streams currently waiting on the clock.</summary>
    public int PausedStreams => Volatile.Read(ref _paused);

    public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        // Task.Delay arms its timer synchronously, so once the waiters are told, advancing the clock fires it.
        var wait = Task.Delay(delay, time, cancellationToken);
        List<TaskCompletionSource> ready;
        lock (_gate)
        {
            Interlocked.Increment(ref _paused);
            ready = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in ready)
        {
            waiter.TrySetResult();
        }

        try
        {
            await wait;
        }
        finally
        {
            Interlocked.Decrement(ref _paused);
        }
    }

    /// <summary>Completes once some stream waits on the clock (at once if one already does).</summary>
    public Task WaitForPauseAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_paused > 0)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add(waiter);
            return waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
