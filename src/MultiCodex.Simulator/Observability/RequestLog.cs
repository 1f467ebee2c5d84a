namespace MultiCodex.Simulator;

/// <summary>Thread-safe log of every request the fake received, in arrival order.</summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Signal)> _waiters = [];

    internal RequestLog()
    {
    }

    /// <summary>A snapshot of all requests so far.</summary>
    public IReadOnlyList<RecordedRequest> All()
    {
        lock (_gate)
        {
            return _requests.ToList();
        }
    }

    /// <summary>Requests to exactly <paramref name="path"/> (e.g. <c>/oauth/token</c>), optionally of one method.</summary>
    public IReadOnlyList<RecordedRequest> ForPath(string path, string? method = null)
    {
        lock (_gate)
        {
            return _requests
                .Where(r => r.Path == path && (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)))
                .ToList();
        }
    }

    /// <summary>How many requests went to <paramref name="path"/>, optionally of one method.</summary>
    public int Count(string path, string? method = null) => ForPath(path, method).Count;

    /// <summary>Forgets all requests.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Completes with the first request (already logged or arriving later) that matches; fails with
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/> of wall-clock time.</summary>
    public Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _requests.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((predicate, signal));
        }

        return signal.Task.WaitAsync(timeout, cancellationToken);
    }

    internal void Add(RecordedRequest request)
    {
        List<TaskCompletionSource<RecordedRequest>> ready = [];
        lock (_gate)
        {
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(request))
                {
                    ready.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult(request);
        }
    }
}
