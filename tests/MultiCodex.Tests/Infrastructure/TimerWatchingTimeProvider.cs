using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fake clock that also tells when code under test has armed a timer of a given length, so that a test advances
/// the clock only once the wait it means to end has begun (advancing earlier would leave that timer waiting).
/// </summary>
public sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<TimeSpan> _armed = new();
    private readonly SemaphoreSlim _signal = new(0);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Enqueue(dueTime);
        _signal.Release();
        return timer;
    }

    /// <summary>
    /// Waits until a timer due in <paramref name="dueTime"/> has been created (at most 10 s of real time). Within a
    /// millisecond: Task.Delay on a TimeProvider rounds its wait to whole milliseconds.
    /// </summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_armed.Any(armed => (armed - dueTime).Duration() < TimeSpan.FromMilliseconds(1)))
        {
            if (!await _signal.WaitAsync(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            {
                throw new TimeoutException($"No timer due in {dueTime} was armed within 10 s; armed: {string.Join(", ", _armed)}");
            }
        }
    }
}
