namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// One immutable document kept in memory and in a JSON file. Reads are lock-free snapshots; changes are
/// serialised. A durable change is written to disk (atomically) before it becomes visible, so nothing
/// acknowledged is ever lost; when the write fails (<see cref="StorageUnavailableException"/>), the change is not
/// made, the failure is logged once, and the caller answers 503. A deferred change (live usage, which the next
/// probe would restore anyway) is visible at once and written within <see cref="DeferredSaveDelay"/>, so the
/// request path does no disk I/O; a deferred write that fails is retried with backoff until it succeeds.
/// </summary>
internal sealed partial class PersistentState<T>(JsonFile<T> file, T initial, TimeProvider time) where T : class
{
    public static readonly TimeSpan DeferredSaveDelay = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between retries of a deferred write that keeps failing.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ILogger _logger = file.Directory.Logger;
    private T _current = initial;
    private bool _dirty;
    private bool _saveScheduled;
    private int _failedDeferredSaves;

    /// <summary>Raised after a change is visible, inside the write gate so listeners see changes in order; must not block.</summary>
    public event Action<T>? Changed;

    public T Current => Volatile.Read(ref _current);

    /// <summary>Applies <paramref name="change"/>; a new document is written before it is published unless <paramref name="deferSave"/>.</summary>
    /// <exception cref="StorageUnavailableException">The durable write failed; nothing changed.</exception>
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
                ScheduleSave(DeferredSaveDelay);
            }
            else
            {
                try
                {
                    // Not cancellable: once a change starts it is either fully on disk and visible, or neither.
                    await file.SaveAsync(next, CancellationToken.None);
                }
                catch (StorageUnavailableException e)
                {
                    Log.WriteFailed(_logger, file.FileName, file.Directory.Root, StorageUnavailableException.OsError(e.InnerException ?? e));
                    throw;
                }
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
    /// <exception cref="StorageUnavailableException">The write failed; the changes stay pending.</exception>
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

    private void ScheduleSave(TimeSpan delay)
    {
        if (_saveScheduled)
        {
            return;
        }
        _saveScheduled = true;
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay, time);
            _saveScheduled = false;
            await SaveDeferredAsync();
        });
    }

    private async Task SaveDeferredAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (StorageUnavailableException e)
        {
            // Once at error level per outage, quieter while it lasts; the changes stay in memory and are retried.
            var failures = Interlocked.Increment(ref _failedDeferredSaves);
            var retryIn = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, DeferredSaveDelay.Ticks << Math.Min(failures, 16)));
            var error = StorageUnavailableException.OsError(e.InnerException ?? e);
            if (failures == 1)
            {
                Log.DeferredWriteFailed(_logger, file.FileName, file.Directory.Root, error, retryIn.TotalSeconds);
            }
            else
            {
                Log.DeferredWriteStillFailing(_logger, file.FileName, failures, error, retryIn.TotalSeconds);
            }
            await _writeGate.WaitAsync();
            try
            {
                ScheduleSave(retryIn);
            }
            finally
            {
                _writeGate.Release();
            }
            return;
        }
        if (Interlocked.Exchange(ref _failedDeferredSaves, 0) > 0)
        {
            Log.DeferredWriteRecovered(_logger, file.FileName);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1901, LogLevel.Error, "Cannot save {File} in {Folder}: {Error}. The change was refused (503); the previous file is intact")]
        public static partial void WriteFailed(ILogger logger, string file, string folder, string error);

        [LoggerMessage(1902, LogLevel.Error, "Cannot save pending changes to {File} in {Folder}: {Error}. They are kept in memory and retried in {RetrySeconds:F0} s")]
        public static partial void DeferredWriteFailed(ILogger logger, string file, string folder, string error, double retrySeconds);

        [LoggerMessage(1903, LogLevel.Warning, "Pending changes to {File} still cannot be saved ({Attempts} attempts): {Error}. Retrying in {RetrySeconds:F0} s")]
        public static partial void DeferredWriteStillFailing(ILogger logger, string file, int attempts, string error, double retrySeconds);

        [LoggerMessage(1904, LogLevel.Information, "Pending changes to {File} are saved again")]
        public static partial void DeferredWriteRecovered(ILogger logger, string file);
    }
}
