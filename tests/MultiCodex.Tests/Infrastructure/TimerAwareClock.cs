using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A fake clock that tells when the code under test has armed a timer on it, so a test advances time only after the
/// timer it means to fire exists. Advancing earlier is a race: a timer armed after the advance counts from the new
/// time and never fires. Workers arm their timers on their own threads (a hosted service's loop runs on the thread
/// pool, a deferred save in Task.Run), so "the host has started" does not mean "the timer is armed".
/// </summary>
/// <remarks>
/// Every timer created on the clock is seen (Task.Delay, PeriodicTimer, CreateTimer), with its due time and the
/// types of the code that created it; a timer re-armed later through <see cref="ITimer.Change"/> is not.
/// </remarks>
public sealed class TimerAwareClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private readonly List<ArmedTimer> _armed = []; // every timer created, in order
    private TaskCompletionSource _created = NewSignal(); // completed (and replaced) when a timer is created

    /// <summary>How many timers have been created so far (pass it as <c>after</c> to wait only for later ones).</summary>
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
        var armed = new ArmedTimer(dueTime, CallerTypes(new StackTrace(1, fNeedFileInfo: false)));
        TaskCompletionSource created;
        lock (_armed)
        {
            _armed.Add(armed);
            created = _created;
            _created = NewSignal();
        }
        created.SetResult();
        return timer;
    }

    /// <summary>
    /// Waits (at most 30 s of real time) until a timer has been created that is due in <paramref name="dueTime"/>
    /// (when given) and was created by code of <paramref name="armedBy"/> (when given; an open generic type such as
    /// <c>typeof(PersistentState&lt;&gt;)</c> matches every instance of it), not counting the first
    /// <paramref name="after"/> timers. Returns how many timers had been created up to and including that one, to pass
    /// as <paramref name="after"/> when waiting for the next one.
    /// </summary>
    /// <remarks>Due times match within a millisecond: Task.Delay on a TimeProvider rounds to whole milliseconds.</remarks>
    public async Task<int> WaitForTimerAsync(TimeSpan? dueTime = null, Type? armedBy = null, int after = 0)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            Task created;
            lock (_armed)
            {
                for (var i = after; i < _armed.Count; i++)
                {
                    if (_armed[i].Matches(dueTime, armedBy))
                    {
                        return i + 1;
                    }
                }
                created = _created.Task;
            }
            try
            {
                await created.WaitAsync(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(
                    $"No timer{(dueTime is { } due ? $" due in {due}" : "")}{(armedBy is null ? "" : $" armed by {armedBy.Name}")} " +
                    $"after the first {after} within {WaitLimit.TotalSeconds} s; armed: {Describe()}");
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string Describe()
    {
        lock (_armed)
        {
            return string.Join(", ", _armed.Select(a => $"{a.DueTime} by {a.Creator}"));
        }
    }

    // The types whose code is on the stack, innermost first, each with the types it is nested in: an async method's
    // state machine or a lambda's closure is nested in the class that wrote it, so that class is what a test names.
    private static Type[] CallerTypes(StackTrace stack)
    {
        var types = new List<Type>();
        foreach (var frame in stack.GetFrames())
        {
            for (var type = frame.GetMethod()?.DeclaringType; type is not null; type = type.DeclaringType)
            {
                var named = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
                if (!types.Contains(named))
                {
                    types.Add(named);
                }
            }
        }
        return [.. types];
    }

    private sealed record ArmedTimer(TimeSpan DueTime, Type[] Callers)
    {
        // The class of the first code outside the runtime and the framework: what armed the timer (for error messages).
        public string Creator
        {
            get
            {
                var type = Callers.FirstOrDefault(t =>
                    t.Namespace is not { } ns || !(ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft", StringComparison.Ordinal)));
                while (type?.DeclaringType is { } outer)
                {
                    type = outer;
                }
                return type?.Name ?? "?";
            }
        }

        public bool Matches(TimeSpan? dueTime, Type? armedBy) =>
            (dueTime is not { } due || (DueTime - due).Duration() < TimeSpan.FromMilliseconds(1))
            && (armedBy is null || Callers.Contains(armedBy.IsGenericType ? armedBy.GetGenericTypeDefinition() : armedBy));
    }
}
