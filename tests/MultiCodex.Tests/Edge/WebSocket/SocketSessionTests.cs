using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// The Responses WebSocket through the real Edge and Control to the fake backend's WebSocket: warmups, continuations
/// on the same upstream socket, tool round trips, and the record of each request.
/// </summary>
public sealed class SocketSessionTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _proxy.Upstream.WebSocketsEnabled = true;
        var created = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "ws" });
        _key = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!;
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task WarmupThenTurns_GoOnOneUpstreamSocket_AsContinuations_AndEveryEventIsRelayedAsItCame()
    {
        await _proxy.AddAccountAsync("ws@example.com");
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var warmup = await client.AskAsync(EdgeSocket.Warmup());
        var first = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("First turn"), EdgeSocket.ResponseId(warmup)));
        var second = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Second turn"), EdgeSocket.ResponseId(first)));

        Assert.Fail(string.Join(",", warmup.Select(EdgeSocket.TypeOf)) + " | " + string.Join(",", first.Select(EdgeSocket.TypeOf)));
        Assert.Equal("Hello from ws@example.com: First turn", EdgeSocket.Text(first));
        Assert.Equal("Hello from ws@example.com: Second turn", EdgeSocket.Text(second));
        var frames = _proxy.Upstream.WebSocketFrames.All();
        Assert.Equal(3, frames.Count);
        Assert.Single(frames.Select(f => f.ConnectionId).Distinct());
        Assert.True(frames[0].IsWarmup);
        Assert.Equal(frames[0].ResponseId, frames[1].PreviousResponseId);
        Assert.Equal(frames[1].ResponseId, frames[2].PreviousResponseId);
        Assert.Equal(EdgeSocket.ResponseId(first), frames[1].ResponseId);
    }
}
