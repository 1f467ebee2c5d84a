using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.V1;

namespace MultiCodex.Control.Events;

/// <summary>Maps EventService calls (/admin/events, /admin/events/watch and their gRPC forms) onto the event bus.</summary>
internal sealed class EventGrpcService(ControlEvents events, TimeProvider time) : EventService.EventServiceBase
{
    /// <summary>How often a quiet WatchEvents stream says it is still open.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    /// <summary>How many events a watcher may fall behind before it is cut off (it can reconnect and list the recent ones).</summary>
    public const int WatchBacklog = 256;

    public override Task<ListEventsResponse> ListEvents(ListEventsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            ControlErrors.InvalidArgument("page_size", "page_size cannot be negative.");
        }
        var filter = Filter(request.EventTypes, "event_types");
        var size = request.PageSize == 0 ? ControlEvents.RecentCapacity : Math.Min(request.PageSize, ControlEvents.RecentCapacity);
        var response = new ListEventsResponse();
        response.Events.AddRange(events.Recent(size, filter).Select(EventMapper.ToProto));
        return Task.FromResult(response);
    }

    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<WatchEventsResponse> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        using var subscription = events.Subscribe(WatchBacklog, Filter(request.EventTypes, "event_types"));
        using var heartbeats = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            // A heartbeat first: proxies (the Edge's YARP among them) pass the response on only once it has a body.
            await responseStream.WriteAsync(Heartbeat(), cancellation);
            var tick = heartbeats.WaitForNextTickAsync(cancellation).AsTask();
            var ready = subscription.Reader.WaitToReadAsync(cancellation).AsTask();
            while (true)
            {
                if (await Task.WhenAny(tick, ready) == tick)
                {
                    await tick;
                    await responseStream.WriteAsync(Heartbeat(), cancellation);
                    tick = heartbeats.WaitForNextTickAsync(cancellation).AsTask();
                    continue;
                }
                if (!await ready)
                {
                    return;
                }
                while (subscription.Reader.TryRead(out var next))
                {
                    await responseStream.WriteAsync(new WatchEventsResponse { Event = EventMapper.ToProto(next) }, cancellation);
                }
                ready = subscription.Reader.WaitToReadAsync(cancellation).AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The watcher went away.
        }
        catch (EventSubscriptionOverflowException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
    }

    private WatchEventsResponse Heartbeat() => new() { HeartbeatTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };

    /// <summary>A filter for the requested types (null: every type); an unknown type is a bad request.</summary>
    internal static Func<ControlEvent, bool>? Filter(RepeatedField<Event.Types.Type> types, string field)
    {
        if (types.Count == 0)
        {
            return null;
        }
        var wanted = new HashSet<ControlEventType>();
        foreach (var type in types)
        {
            if (EventMapper.FromProto(type) is not { } known)
            {
                throw ControlErrors.InvalidArgumentError(field, $"Unknown event type {type}.");
            }
            wanted.Add(known);
        }
        return e => wanted.Contains(e.Type);
    }
}
