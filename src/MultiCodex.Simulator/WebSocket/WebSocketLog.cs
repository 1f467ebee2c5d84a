using System.Text.Json;

namespace MultiCodex.Simulator;

/// <summary>One client frame received on a Responses WebSocket, and how the fake answered it.</summary>
public sealed class RecordedFrame
{
    internal RecordedFrame(int connectionId, SimAccount account, DateTimeOffset timestamp, string type, JsonElement? json)
    {
        ConnectionId = connectionId;
        Account = account;
        Timestamp = timestamp;
        Type = type;
        Json = json;
    }

    /// <summary>Which connection (1, 2, … in accept order) carried the frame.</summary>
    public int ConnectionId { get; }

    /// <summary>The account the connection was opened for.</summary>
    public SimAccount Account { get; }

    /// <summary>Arrival time on the fake's clock.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The frame's <c>type</c> (<c>response.create</c>, <c>response.interrupt</c>, …).</summary>
    public string Type { get; }

    /// <summary>The frame as JSON (null when it was not JSON).</summary>
    public JsonElement? Json { get; }

    /// <summary>The frame's <c>previous_response_id</c>, if any.</summary>
    public string? PreviousResponseId => Field("previous_response_id");

    /// <summary>True for a warmup (<c>generate:false</c>).</summary>
    public bool IsWarmup => Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("generate", out var g) && g.ValueKind == JsonValueKind.False;

    /// <summary>The id of the response the frame started, once known.</summary>
    public string? ResponseId { get; internal set; }

    /// <summary>How the answer ended: <c>response.completed</c>, <c>response.failed</c>, <c>response.incomplete</c>,
    /// <c>error 429</c> (an error frame and its status), or <c>dropped</c>. Null while it runs or when nothing was sent.</summary>
    public string? Outcome { get; internal set; }

    /// <summary>A top-level string field of the frame, or null.</summary>
    public string? Field(string name) =>
        Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <inheritdoc />
    public override string ToString() => $"ws#{ConnectionId} {Type}{(IsWarmup ? " (warmup)" : "")} -> {Outcome}";
}

/// <summary>Thread-safe log of every frame received on the fake's Responses WebSockets, in arrival order.</summary>
public sealed class WebSocketLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedFrame> _frames = [];
    private readonly List<(Func<RecordedFrame, bool> Predicate, TaskCompletionSource<RecordedFrame> Signal)> _waiters = [];

    internal WebSocketLog()
    {
    }

    /// <summary>A snapshot of all frames so far.</summary>
    public IReadOnlyList<RecordedFrame> All()
    {
        lock (_gate)
        {
            return _frames.ToList();
        }
    }

    /// <summary>Completes with the first frame (logged already or later) that matches once its answer has ended;
    /// fails with <see cref="TimeoutException"/> after <paramref name="timeout"/> of wall-clock time.</summary>
    public Task<RecordedFrame> WaitForAsync(Func<RecordedFrame, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = new TaskCompletionSource<RecordedFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_frames.FirstOrDefault(f => f.Outcome is not null && predicate(f)) is { } existing)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((predicate, signal));
        }

        return signal.Task.WaitAsync(timeout, cancellationToken);
    }

    internal void Add(RecordedFrame frame)
    {
        lock (_gate)
        {
            _frames.Add(frame);
        }
    }

    /// <summary>Sets the outcome and wakes waiters.</summary>
    internal void Finish(RecordedFrame frame, string outcome)
    {
        List<TaskCompletionSource<RecordedFrame>> ready = [];
        lock (_gate)
        {
            frame.Outcome = outcome;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(frame))
                {
                    ready.Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult(frame);
        }
    }
}
