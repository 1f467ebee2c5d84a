using System.Threading.Channels;

namespace MultiCodex.Control.Events;

/// <summary>One reader of <see cref="ControlEvents"/>: new events arrive in <see cref="Reader"/>. Disposing unsubscribes.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly ControlEvents _owner;
    private readonly Func<ControlEvent, bool>? _filter;
    private readonly Channel<ControlEvent> _channel;

    internal EventSubscription(ControlEvents owner, int capacity, Func<ControlEvent, bool>? filter)
    {
        _owner = owner;
        _filter = filter;
        // Wait mode only makes TryWrite refuse when full; nothing ever waits (see Offer).
        _channel = Channel.CreateBounded<ControlEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The events, in the order they were published.</summary>
    public ChannelReader<ControlEvent> Reader => _channel.Reader;

    // Called by the publisher; never blocks.
    internal void Offer(ControlEvent published)
    {
        if (_filter is not null && !_filter(published))
        {
            return;
        }
        if (!_channel.Writer.TryWrite(published))
        {
            _channel.Writer.TryComplete(new EventSubscriptionOverflowException());
            _owner.Remove(this);
        }
    }

    public void Dispose()
    {
        _owner.Remove(this);
        _channel.Writer.TryComplete();
    }
}

/// <summary>A subscriber fell so far behind that events would have been lost; it was cut off instead.</summary>
public sealed class EventSubscriptionOverflowException()
    : Exception("This reader fell too far behind the events and was cut off; subscribe again (recent events are listed at /admin/events).");
