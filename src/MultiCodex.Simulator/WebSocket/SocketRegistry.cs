namespace MultiCodex.Simulator.WebSocket;

/// <summary>The open Responses WebSockets of one fake and the log of their frames.</summary>
internal sealed class SocketRegistry
{
    private readonly Lock _gate = new();
    private readonly List<ResponsesSocket> _open = [];
    private int _nextId;

    public WebSocketLog Frames { get; } = new();

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _nextId);

    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    public int NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ResponsesSocket socket)
    {
        lock (_gate)
        {
            _open.Add(socket);
        }
    }

    public void Remove(ResponsesSocket socket)
    {
        lock (_gate)
        {
            _open.Remove(socket);
        }
    }

    /// <summary>Closes every open connection from the server side (as an idle close between turns would).</summary>
    public async Task CloseAllAsync()
    {
        List<ResponsesSocket> open;
        lock (_gate)
        {
            open = [.. _open];
        }

        foreach (var socket in open)
        {
            await socket.CloseAsync();
        }
    }
}
