using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fake clock that says when code under test arms a timer of a given length, so a test advances time only once
/// that timer exists (advancing earlier would leave it waiting forever).
/// </summary>
public sealed class ArmedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiters = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            foreach (var (due, armed) in _waiters.Where(w => w.Due == dueTime).ToList())
            {
                armed.TrySetResult();
                _waiters.Remove((due, armed));
            }
        }
        return timer;
    }

    /// <summary>Completes once a timer due in exactly <paramref name="dueTime"/> is created (after this call).</summary>
    public Task TimerArmedAsync(TimeSpan dueTime)
    {
        var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((dueTime, armed));
        }
        return armed.Task;
    }
}
