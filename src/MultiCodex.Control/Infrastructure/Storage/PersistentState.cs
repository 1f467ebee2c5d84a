namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// One immutable document kept in memory and in a JSON file. Reads are lock-free snapshots; changes are
/// serialised. A durable change is written to disk (atomically) before it becomes visible, so nothing
/// acknowledged is ever lost. A deferred change (live usage, which the next probe would restore anyway) is
/// visible at once and written within <see cref="DeferredSaveDelay"/>, so the request path does no disk I/O.
/// </summary>
internal sealed class PersistentState<T>(JsonFile<T> file, T initial, TimeProvider time) where T : class
{
    public static readonly TimeSpan DeferredSaveDelay = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private T _current = initial;
    private bool _dirty;
    private bool _saveScheduled;

    /// <summary>Raised after a change is visible, inside the write gate so listeners see changes in order; must not block.</summary>
    public event Action<T>? Changed;

    public T Current => Volatile.Read(ref _current);

    /// <summary>Applies <paramref name="change"/>; a new document is written before it is published unless <paramref name="deferSave"/>.</summary>
    public async Task<TResult> MutateAsync<TResult>(Func<T, (T Next, TResult Result)> change, bool deferSave = false)
    {
        await _writeGate.WaitAsync();
        try
        {
            var (next, result) = change(_current);
            if (ReferenceEquals(next, _current))
            {
                return result;
            }
            if (deferSave)
            {
                _dirty = true;
                ScheduleSave();
            }
            else
            {
                // Not cancellable: once a change starts it is either fully on disk and visible, or neither.
                await file.SaveAsync(next, CancellationToken.None);
                _dirty = false;
            }
            Volatile.Write(ref _current, next);
            Changed?.Invoke(next);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Writes deferred changes now (on shutdown).</summary>
    public async Task FlushAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_dirty)
            {
                await file.SaveAsync(_current, CancellationToken.None);
                _dirty = false;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void ScheduleSave()
    {
        if (_saveScheduled)
        {
            return;
        }
        _saveScheduled = true;
        _ = Task.Run(async () =>
        {
            await Task.Delay(DeferredSaveDelay, time);
            _saveScheduled = false;
            await FlushAsync();
        });
    }
}
