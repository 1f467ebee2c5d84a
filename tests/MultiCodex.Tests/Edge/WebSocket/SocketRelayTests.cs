using MultiCodex.Edge.V1.WebSocket;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>What the client socket is sent besides the upstream's known events: unknown ones, <c>response.done</c>, keepalives.</summary>
public sealed class SocketRelayTests
{
    [Fact]
    public async Task UnknownEvents_AreRelayedVerbatim_AndResponseDone_BecomesResponseCompleted()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        var (sim, _) = await proxy.AddAccountAsync("relay@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Success.WithExtraEvent("responsesapi.websocket_timing").EndingWithResponseDone());
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url);

        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));
        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));

        var unknown = Assert.Single(one, f => EdgeSocket.TypeOf(f) == "responsesapi.websocket_timing");
        Assert.Equal("""{"type":"responsesapi.websocket_timing","note":"an event clients do not know"}""", unknown.GetRawText());
        Assert.Equal("response.completed", EdgeSocket.TypeOf(one[^1]));
        Assert.Equal(EdgeSocket.ResponseId(one), one[^1].GetProperty("response").GetProperty("id").GetString());
        Assert.DoesNotContain(one, f => EdgeSocket.TypeOf(f) == "response.done");
        // The response it ended can be continued, on the same upstream socket.
        Assert.Equal("Hello from relay@example.com: Two", EdgeSocket.Text(two));
        Assert.Equal(EdgeSocket.ResponseId(one), proxy.Upstream.WebSocketFrames.All()[^1].PreviousResponseId);
        Assert.Equal(1, proxy.Upstream.WebSocketConnectionCount);
    }

    [Fact]
    public async Task WhileTheEdgeHoldsTheFirstEvent_TheClientGetsTextKeepalives()
    {
        var clock = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyFixture.StartAsync(edgeTime: clock);
        proxy.Upstream.WebSocketsEnabled = true;
        var (sim, _) = await proxy.AddAccountAsync("patient@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromSeconds(5)));
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url);

        var timers = clock.TimersCreated;
        await client.SendAsync(EdgeSocket.Create(EdgeSocket.User("Take your time")));
        await clock.WaitForTimerAsync(ClientSocket.KeepaliveInterval, after: timers);
        clock.Advance(ClientSocket.KeepaliveInterval);
        var first = await client.ReceiveAsync(TimeSpan.FromSeconds(4)); // before the upstream's first event (5 s)

        Assert.Equal("""{"type":"codex.keepalive"}""", first!.Value.GetRawText());
    }
}
