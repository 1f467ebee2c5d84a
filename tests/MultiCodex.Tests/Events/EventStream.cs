using Grpc.Core;
using Grpc.Net.Client;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Events;

/// <summary>A WatchEvents stream (gRPC or gRPC-Web), open once <see cref="OpenAsync"/> has read its first message, a heartbeat.</summary>
public sealed class EventStream : IDisposable
{
    private readonly AsyncServerStreamingCall<WatchEventsResponse> _call;
    private readonly CancellationTokenSource _lifetime;

    private EventStream(AsyncServerStreamingCall<WatchEventsResponse> call, CancellationTokenSource lifetime) => (_call, _lifetime) = (call, lifetime);

    public static async Task<EventStream> OpenAsync(GrpcChannel channel, params Event.Types.Type[] types)
    {
        var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new WatchEventsRequest();
        request.EventTypes.AddRange(types);
        var call = new EventService.EventServiceClient(channel)
            .WatchEvents(request, new CallOptions(Stack.Authorized.Headers, cancellationToken: lifetime.Token));
        // Control subscribes, then sends a heartbeat: from here on, no event is missed.
        var stream = new EventStream(call, lifetime);
        Assert.NotNull((await stream.NextMessageAsync()).HeartbeatTime);
        return stream;
    }

    /// <summary>The next event, past any heartbeats; fails after 10 s without one.</summary>
    public async Task<Event> NextAsync()
    {
        while (true)
        {
            var message = await NextMessageAsync();
            if (message.Event is { } next)
            {
                Assert.Null(message.HeartbeatTime);
                return next;
            }
        }
    }

    private async Task<WatchEventsResponse> NextMessageAsync()
    {
        var next = _call.ResponseStream.MoveNext(_lifetime.Token);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)), "the event stream ended");
        return _call.ResponseStream.Current;
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _call.Dispose();
        _lifetime.Dispose();
    }
}
