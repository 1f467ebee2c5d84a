using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fake clock that also tells when code under test has armed a timer of a given length, so that a test advances
/// the clock only once the wait it means to end has begun (advancing earlier would leave that timer waiting).
/// </summary>
public sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly List<TimeSpan> _armed = []; // the due time of every timer created, in order
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>How many timers have been created so far (pass it to <see cref="WaitForTimerAsync"/> to skip those).</summary>
    public int TimersCreated
    {
        get
        {
            lock (_armed)
            {
                return _armed.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_armed)
        {
            _armed.Add(dueTime);
        }
        _signal.Release();
        return timer;
    }

    /// <summary>
    /// Waits until a timer due in <paramref name="dueTime"/> has been created, not counting the first
    /// <paramref name="after"/> timers (at most 10 s of real time). Within a millisecond: Task.Delay on a TimeProvider
    /// rounds its wait to whole milliseconds.
    /// </summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, int after = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Armed(after).Any(armed => (armed - dueTime).Duration() < TimeSpan.FromMilliseconds(1)))
        {
            if (!await _signal.WaitAsync(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            {
                throw new TimeoutException($"No timer due in {dueTime} was armed within 10 s; armed: {string.Join(", ", Armed(0))}");
            }
        }
    }

    private TimeSpan[] Armed(int after)
    {
        lock (_armed)
        {
            return [.. _armed.Skip(after)];
        }
    }
}
