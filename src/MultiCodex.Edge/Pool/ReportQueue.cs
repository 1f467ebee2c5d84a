using System.Threading.Channels;
using Google.Protobuf;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// What this Edge still has to tell Control, oldest first, numbered (the numbers make redelivery harmless). Bounded:
/// when Control stays away long enough to fill it, the oldest report is dropped and counted (a metric and one
/// warning) rather than the Edge's memory growing without end.
/// </summary>
/// <remarks>
/// A report waits here at least one batch interval, and as long as Control takes to acknowledge its batch: under
/// load, thousands of them, so every one outlives the collection that would otherwise reclaim it young. Each is
/// therefore kept as its encoded bytes, one flat array, rather than as the message (an attempt's rate-limit headers
/// alone are some thirty objects): the collector copies an array without tracing it, and a collection's pause grows
/// with the objects it has to trace (bench/README.md, "What survives a collection"). They are sent
/// as they are kept (<see cref="ReportBatch"/>), never decoded again.
/// </remarks>
internal sealed class ReportQueue(int capacity, TimeProvider time)
{
    private readonly Queue<Entry> _entries = new();
    private readonly Lock _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ulong _lastSequence;
    private long _dropped;
    private bool _urgent;

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Reports dropped because the queue was full, since the Edge started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Raised (once per run of drops) when the queue first drops a report; must not block.</summary>
    public event Action? Overflowed;

    /// <summary>True when something waits that other Edges must learn at once (a block, a new binding).</summary>
    public bool Urgent
    {
        get
        {
            lock (_gate)
            {
                return _urgent;
            }
        }
    }

    /// <summary>Numbers and queues a report (<paramref name="age"/>: how long ago it happened); returns its number.</summary>
    public ulong Enqueue(ControlV1.PoolReport report, bool urgent, TimeSpan age = default)
    {
        var recordedAt = time.GetTimestamp() - (long)(age.TotalSeconds * time.TimestampFrequency);
        var overflowed = false;
        ulong sequence;
        lock (_gate)
        {
            sequence = ++_lastSequence;
            report.Sequence = sequence;
            if (_entries.Count >= Capacity)
            {
                _entries.Dequeue();
                overflowed = Interlocked.Increment(ref _dropped) == 1;
            }
            _entries.Enqueue(new Entry(sequence, report.ToByteArray(), recordedAt));
            _urgent |= urgent;
        }
        _signal.Writer.TryWrite(true);
        if (overflowed)
        {
            Overflowed?.Invoke();
        }
        return sequence;
    }

    /// <summary>Waits until something is queued.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (Count == 0)
        {
            await _signal.Reader.WaitToReadAsync(cancellationToken);
            _signal.Reader.TryRead(out _);
        }
    }

    /// <summary>Waits until something urgent is queued, or <paramref name="delay"/> passed.</summary>
    public async ValueTask WaitForUrgentAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var timeout = new TimedToken(delay, time, cancellationToken);
        try
        {
            while (!Urgent)
            {
                await _signal.Reader.WaitToReadAsync(timeout.Token);
                _signal.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The batch interval is over.
        }
    }

    /// <summary>The oldest reports (at most <paramref name="max"/>), each with its age now; they stay queued until acknowledged.</summary>
    public ReportBatch Peek(int max)
    {
        lock (_gate)
        {
            _urgent = false;
            var batch = new List<ReportBatch.Entry>(Math.Min(max, _entries.Count));
            foreach (var entry in _entries)
            {
                if (batch.Count == max)
                {
                    break;
                }
                batch.Add(new ReportBatch.Entry(entry.Sequence, entry.Encoded, time.GetElapsedTime(entry.RecordedAt)));
            }
            return new ReportBatch(batch);
        }
    }

    /// <summary>Forgets every report up to <paramref name="sequence"/>: Control has applied them.</summary>
    public void RemoveThrough(ulong sequence)
    {
        lock (_gate)
        {
            while (_entries.TryPeek(out var head) && head.Sequence <= sequence)
            {
                _entries.Dequeue();
            }
        }
    }

    private readonly record struct Entry(ulong Sequence, byte[] Encoded, long RecordedAt);
}
