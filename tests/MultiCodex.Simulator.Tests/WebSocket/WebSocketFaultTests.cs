using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.WebSocket;

/// <summary>Scripted behaviours and limits over the Responses WebSocket: error frames with a numeric status, drops,
/// one response at a time, interrupts and the connection age limit.</summary>
public sealed class WebSocketFaultTests
{
    [Fact]
    public async Task UsageLimit_IsAnErrorFrame_WithStatusCode429_ResetsAt_AndTheHeadersMap()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test", "plus");
        account.SetPrimaryUsage(100, TestSim.Epoch.AddMinutes(30));
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("x"));
        var frame = Assert.Single(await client.ReadResponseAsync());

        Assert.Equal(429, frame.GetProperty("status_code").GetInt32());
        var error = frame.GetProperty("error");
        Assert.Equal("usage_limit_reached", error.GetProperty("type").GetString());
        Assert.Equal("plus", error.GetProperty("plan_type").GetString());
        Assert.Equal(TestSim.Epoch.AddMinutes(30).ToUnixTimeSeconds(), error.GetProperty("resets_at").GetInt64());
        var headers = frame.GetProperty("headers");
        Assert.Equal("100", headers.GetProperty("X-Codex-Primary-Used-Percent").GetString());
        Assert.Equal("rate_limit_reached", headers.GetProperty("X-Codex-Rate-Limit-Reached-Type").GetString());
    }

    [Theory]
    [InlineData("overloaded", 503, "server_is_overloaded")]
    [InlineData("rate_limit", 429, "rate_limit_exceeded")]
    [InlineData("server_error", 500, "server_error")]
    [InlineData("not_included", 429, "usage_not_included")]
    public async Task ErrorBehaviors_AreErrorFramesWithTheirStatus(string kind, int status, string code)
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(kind switch
        {
            "overloaded" => ResponseBehavior.Overloaded(),
            "rate_limit" => ResponseBehavior.RateLimitExceeded(),
            "not_included" => ResponseBehavior.UsageNotIncluded(),
            _ => ResponseBehavior.ServerError(),
        });
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("x"));
        var frame = Assert.Single(await client.ReadResponseAsync());
        await client.SendAsync(WsClient.Create("again"));
        var next = await client.ReadResponseAsync();

        Assert.Equal("error", frame.GetProperty("type").GetString());
        Assert.Equal(status, frame.GetProperty("status").GetInt32());
        var error = frame.GetProperty("error");
        Assert.Equal(code, error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : error.GetProperty("type").GetString());
        Assert.Equal("response.completed", next[^1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task UsageLimitInStream_IsAResponseFailedEvent()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.UsageLimitReachedInStream());
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("x"));
        var frames = await client.ReadResponseAsync();

        Assert.Equal("response.failed", frames[^1].GetProperty("type").GetString());
        Assert.Equal("usage_limit_reached", frames[^1].GetProperty("response").GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task DropMidStream_BreaksTheConnectionAfterSomeDeltas_WithoutACloseFrame()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.DropMidStream(deltasBeforeDrop: 2));
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());
        await client.SendAsync(WsClient.Create("one two three four five"));
        var frames = new List<JsonElement>();

        // The drop waits on the fake clock, so the test lets it happen only once both deltas have arrived.
        while (frames.Count(f => f.GetProperty("type").GetString() == "response.output_text.delta") < 2)
        {
            frames.Add((await client.ReceiveAsync())!.Value);
        }

        await sim.WaitForPausedStreamAsync().WaitAsync(TimeSpan.FromSeconds(10));
        sim.Clock().Advance(TimeSpan.FromMilliseconds(150));
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (await client.ReceiveAsync() is { } frame)
            {
                frames.Add(frame);
            }
        });

        Assert.IsType<WebSocketException>(failure);
        Assert.Equal(2, frames.Count(f => f.GetProperty("type").GetString() == "response.output_text.delta"));
        Assert.DoesNotContain(frames, f => f.GetProperty("type").GetString() == "response.completed");
        Assert.Equal("dropped", sim.WebSocketFrames.All().Single().Outcome);
        Assert.Equal(0, account.CompletedResponseCount);
    }

    [Fact]
    public async Task SecondCreate_WhileAResponseRuns_IsRefused_AndInterrupt_EndsItAsIncomplete()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromSeconds(5)));
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("slow one"));
        await sim.WaitForPausedStreamAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await client.SendAsync(WsClient.Create("too soon"));
        var busy = await client.ReceiveAsync();
        await client.SendAsync(new JsonObject { ["type"] = "response.interrupt", ["mode"] = "discard_partial_items" });
        var interrupted = await client.ReadResponseAsync();
        var id = interrupted[^1].GetProperty("response").GetProperty("id").GetString()!;
        await client.SendAsync(WsClient.Create("", id, input: WsClient.UserInput("after the interrupt")));
        var next = await client.ReadResponseAsync();

        Assert.Equal(400, busy!.Value.GetProperty("status").GetInt32());
        Assert.Equal("response_in_progress", busy.Value.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("response.incomplete", interrupted[^1].GetProperty("type").GetString());
        Assert.Equal("interrupted", interrupted[^1].GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("Hello from a@x.test: after the interrupt", WsClient.Text(next));
        Assert.Equal(1, account.CompletedResponseCount);
    }

    [Fact]
    public async Task OldConnection_AnswersConnectionLimitReached_AtTheNextRequest_ThenCloses()
    {
        await using var sim = await TestSim.StartAsync(o =>
        {
            o.EnableWebSockets = true;
            o.WebSocketMaxConnectionAge = TimeSpan.FromMinutes(55);
        });
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens(TimeSpan.FromDays(1));
        await using var client = await WsClient.ConnectAsync(sim, account, tokens);
        await client.SendAsync(WsClient.Create("fresh"));
        var fresh = await client.ReadResponseAsync();

        sim.Clock().Advance(TimeSpan.FromMinutes(55));
        await client.SendAsync(WsClient.Create("old", WsClient.ResponseId(fresh), input: WsClient.UserInput("old")));
        var limit = Assert.Single(await client.ReadResponseAsync());
        var closed = await client.ReceiveAsync();

        Assert.Equal(400, limit.GetProperty("status").GetInt32());
        Assert.Equal("websocket_connection_limit_reached", limit.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(
            "Responses websocket connection limit reached (55 minutes). Create a new websocket connection to continue.",
            limit.GetProperty("error").GetProperty("message").GetString());
        Assert.Null(closed);
    }

    [Fact]
    public async Task ServerClose_EndsAnIdleConnection_WithACloseFrame()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await sim.CloseWebSocketsAsync();

        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
    }
}
