using System.Collections.Concurrent;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>One live client socket, as the dashboard lists it.</summary>
/// <param name="Id">The Edge's id of the socket.</param>
/// <param name="ClientName">The client key's name; null while /v1 is open.</param>
/// <param name="AccountId">The account of its latest request; null before the first.</param>
/// <param name="AccountEmail">That account's email.</param>
/// <param name="Upstream"><c>websocket</c>, or <c>http</c> when the upstream is reached over HTTP.</param>
/// <param name="OpenedAt">When the client opened it.</param>
/// <param name="Turns">Responses answered on it.</param>
public sealed record LiveWebSocketSession(string Id, string? ClientName, string? AccountId, string? AccountEmail, string Upstream, DateTimeOffset OpenedAt,
    int Turns);

/// <summary>
/// The client sockets open on this Edge: for <c>/metrics</c>, for Control (which lists every Edge's on the dashboard)
/// and for a shutdown that lets each finish its response before it closes.
/// </summary>
public sealed class LiveWebSocketSessions
{
    private readonly ConcurrentDictionary<string, ClientSocket> _sessions = new(StringComparer.Ordinal);
    private long _changes;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Rises whenever a session opens, closes or answers a response.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    internal void Add(ClientSocket session)
    {
        _sessions[session.Id] = session;
        Changed();
    }

    internal void Remove(ClientSocket session)
    {
        _sessions.TryRemove(session.Id, out _);
        Changed();
    }

    internal void Changed()
    {
        // The count rises before the signal is swapped, so a waiter that took the new signal also sees the new count.
        Interlocked.Increment(ref _changes);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    /// <summary>Waits until <see cref="Changes"/> differs from <paramref name="seen"/>, or <paramref name="timeout"/> passes; true on a change.</summary>
    internal async Task<bool> WaitForChangeAsync(long seen, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _changed);
        if (Changes != seen)
        {
            return true;
        }
        try
        {
            await signal.Task.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public IReadOnlyList<LiveWebSocketSession> Snapshot() => [.. _sessions.Values.Select(s => s.Describe()).OrderBy(s => s.OpenedAt)];

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Open client sockets, and the upstream sockets bound to them.</summary>
    public (int Sessions, int UpstreamSockets) Counts()
    {
        var sessions = 0;
        var upstream = 0;
        foreach (var session in _sessions.Values)
        {
            sessions++;
            upstream += session.HasUpstreamSocket ? 1 : 0;
        }
        return (sessions, upstream);
    }

    /// <summary>Asks every socket to close once its current response has ended (the Edge is stopping).</summary>
    internal void CloseAll()
    {
        foreach (var session in _sessions.Values)
        {
            session.CloseWhenIdle();
        }
    }
}
