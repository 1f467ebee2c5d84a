using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fake clock that tells when the code under test has armed a timer on it, so a test advances time only after
/// the timer it means to fire exists (never a sleep, never a race with Task.Run).
/// </summary>
public sealed class TimerAwareClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _created;
    private readonly SemaphoreSlim _armed = new(0);

    /// <summary>Timers created so far.</summary>
    public int TimersCreated => Volatile.Read(ref _created);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _created);
        _armed.Release();
        return timer;
    }

    /// <summary>Waits until more than <paramref name="before"/> timers exist (bounded).</summary>
    public async Task WaitForTimerAfterAsync(int before, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (TimersCreated <= before)
        {
            await _armed.WaitAsync(limit.Token);
        }
    }
}
