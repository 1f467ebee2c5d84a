using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>The transport's settings: turned off it answers the upgrade 426 at once; the upstream socket's age limit.</summary>
public sealed class SocketSettingsTests
{
    [Fact]
    public async Task TurnedOff_TheUpgradeIsAnswered426AtOnce_AndHttpStillServes()
    {
        await using var proxy = await ProxyFixture.StartAsync(new() { ["RESPONSES_WEBSOCKETS"] = "off" });
        proxy.Upstream.WebSocketsEnabled = true;
        await proxy.AddAccountAsync("off@example.com");

        var watch = Stopwatch.StartNew();
        var (socket, status) = await EdgeSocket.TryConnectAsync(proxy.Stack.Edge.Url);
        var elapsed = watch.Elapsed;
        var post = await proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "over http" });

        Assert.Null(socket);
        Assert.Equal(426, status);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"The refusal took {elapsed}.");
        Assert.Contains("Hello from off@example.com: over http", await post.Content.ReadAsStringAsync());
        Assert.Equal(0, proxy.Upstream.WebSocketConnectionCount);
    }

    [Fact]
    public async Task AnUpstreamSocketPastItsAge_IsReplacedAtTheResponseBoundary_WithAFullFirstRequest()
    {
        // The age limit is at least a second: a turn that takes longer than that meets a socket past its age.
        await using var proxy = await ProxyFixture.StartAsync(new() { ["RESPONSES_WEBSOCKET_MAX_AGE_SECONDS"] = "1" });
        proxy.Upstream.WebSocketsEnabled = true;
        var (sim, _) = await proxy.AddAccountAsync("age@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(150))); // ~1.5 s of events
        var key = await proxy.CreateKeyAsync("age");
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, key);

        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));
        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));

        Assert.Equal("Hello from age@example.com: One", EdgeSocket.Text(one)); // not cut: rotation waits for the boundary
        Assert.Equal("Hello from age@example.com: Two", EdgeSocket.Text(two));
        var frames = proxy.Upstream.WebSocketFrames.All();
        Assert.NotEqual(frames[0].ConnectionId, frames[1].ConnectionId);
        Assert.Null(frames[1].PreviousResponseId);
        Assert.Equal(3, frames[1].Json!.Value.GetProperty("input").GetArrayLength());
        Assert.Contains("multicodex_edge_upstream_websockets_opened_total{reason=\"rotated\"}", await proxy.Stack.Admin.GetStringAsync("/metrics"));
    }
}
