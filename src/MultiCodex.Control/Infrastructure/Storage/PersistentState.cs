namespace MultiCodex.Control.Infrastructure.Storage;

/// <summary>
/// One immutable document kept in memory and in a JSON file. Reads are lock-free snapshots; changes are
/// serialised and written to disk (atomically) before they become visible, so nothing acknowledged is lost.
/// </summary>
internal sealed class PersistentState<T>(JsonFile<T> file, T initial) where T : class
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private T _current = initial;

    /// <summary>Raised after a change is on disk, inside the write gate so listeners see changes in order; must not block.</summary>
    public event Action<T>? Changed;

    public T Current => Volatile.Read(ref _current);

    public string Path => file.Path;

    /// <summary>Applies <paramref name="change"/>; when it returns a new document, writes it before publishing it.</summary>
    public async Task<TResult> MutateAsync<TResult>(Func<T, (T Next, TResult Result)> change)
    {
        await _writeGate.WaitAsync();
        try
        {
            var (next, result) = change(_current);
            if (!ReferenceEquals(next, _current))
            {
                // Not cancellable: once a change starts it is either fully on disk and visible, or neither.
                await file.SaveAsync(next, CancellationToken.None);
                Volatile.Write(ref _current, next);
                Changed?.Invoke(next);
            }
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
