using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.WebSocket;

/// <summary>The Responses WebSocket: handshake rules, the warmup, continuations on the connection that made them,
/// the event frames, and compaction V2 as an incremental continuation.</summary>
public sealed class ResponsesWebSocketTests
{
    [Fact]
    public async Task Upgrade_TurnedOff_Answers426_AndTurnedOnAtRunTime_IsAccepted()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();

        var (_, off) = await WsClient.TryConnectAsync(sim, account, tokens);
        sim.WebSocketsEnabled = true;
        var (client, on) = await WsClient.TryConnectAsync(sim, account, tokens);
        await using var _ = client;

        Assert.Equal(426, off);
        Assert.Equal(101, on);
        Assert.Equal(1, sim.WebSocketConnectionCount);
    }

    [Theory]
    [InlineData(null, 400)]
    [InlineData("responses_websockets=2026-02-04", 400)]
    [InlineData("responses=experimental, responses_websockets=2026-02-06", 101)]
    public async Task Upgrade_NeedsTheCurrentBetaHeader(string? beta, int status)
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");

        var (client, answered) = await WsClient.TryConnectAsync(sim, account, account.MintTokens(), beta);
        await using var _ = client;

        Assert.Equal(status, answered);
    }

    [Fact]
    public async Task Upgrade_WithARevokedToken_Answers401()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.RevokeTokens();

        var (_, status) = await WsClient.TryConnectAsync(sim, account, tokens);

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task Warmup_ThenContinuation_AnswersWithTheSameEventsAsSse_AndChargesOnlyTheRealTurn()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("ignored", warmup: true));
        var warmup = await client.ReadResponseAsync();
        await client.SendAsync(WsClient.Create("", WsClient.ResponseId(warmup), input: WsClient.UserInput("ping over ws")));
        var turn = await client.ReadResponseAsync();

        Assert.Equal(["codex.rate_limits", "response.created", "response.completed"], warmup.Select(Type));
        Assert.Equal(0, warmup[^1].GetProperty("response").GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("codex.rate_limits", Type(turn[0]));
        Assert.Equal(300, turn[0].GetProperty("rate_limits").GetProperty("primary").GetProperty("window_minutes").GetInt32());
        Assert.Equal(["response.created", "response.metadata", "response.in_progress"], turn.Skip(1).Take(3).Select(Type));
        Assert.StartsWith("sim-", turn[2].GetProperty("headers").GetProperty("x-codex-turn-state").GetString());
        Assert.Equal("Hello from a@x.test: ping over ws", WsClient.Text(turn));
        Assert.Equal("response.completed", Type(turn[^1]));
        Assert.Equal(1, account.CompletedResponseCount);
        Assert.Equal(2, account.ResponsesRequestCount);
        Assert.Equal(1, sim.WebSocketFrames.All().Count(f => f.IsWarmup));
    }

    [Fact]
    public async Task Continuation_OfAToolCall_CarriesTheCallFromTheCache()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.FunctionCall("exec_command", """{"cmd":"ls"}""", "call_1"));
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("list files"));
        var call = await client.ReadResponseAsync();
        var output = new JsonArray(new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "a.txt" });
        await client.SendAsync(WsClient.Create("", WsClient.ResponseId(call), input: output));
        var after = await client.ReadResponseAsync();

        // Without the cached function_call the lone output would be refused; with it the turn goes on.
        Assert.Equal("response.completed", Type(after[^1]));
        Assert.Equal("Hello from a@x.test: list files", WsClient.Text(after));
    }

    [Fact]
    public async Task Continuation_OnAnotherConnection_OrOfAnOlderResponse_IsPreviousResponseNotFound()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        await using var first = await WsClient.ConnectAsync(sim, account, tokens);
        await using var second = await WsClient.ConnectAsync(sim, account, tokens);

        await first.SendAsync(WsClient.Create("one"));
        var older = WsClient.ResponseId(await first.ReadResponseAsync());
        await first.SendAsync(WsClient.Create("two", older, input: WsClient.UserInput("two")));
        await first.ReadResponseAsync();
        await second.SendAsync(WsClient.Create("", older, input: WsClient.UserInput("elsewhere")));
        var elsewhere = Assert.Single(await second.ReadResponseAsync());
        await first.SendAsync(WsClient.Create("", older, input: WsClient.UserInput("stale")));
        var stale = Assert.Single(await first.ReadResponseAsync());

        foreach (var frame in new[] { elsewhere, stale })
        {
            Assert.Equal(
                $$$"""{"type":"error","status":400,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id '{{{older}}}' not found.","param":"previous_response_id"}}""",
                frame.GetRawText());
        }
    }

    [Fact]
    public async Task CompactionTrigger_AsAnIncrementalContinuation_AnswersOneCompactionItem()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(WsClient.Create("long history"));
        var turn = WsClient.ResponseId(await client.ReadResponseAsync());
        await client.SendAsync(WsClient.Create("", turn, input: new JsonArray(new JsonObject { ["type"] = "compaction_trigger" })));
        var compaction = await client.ReadResponseAsync();

        var done = Assert.Single(compaction, f => Type(f) == "response.output_item.done").GetProperty("item");
        Assert.Equal("compaction", done.GetProperty("type").GetString());
        Assert.StartsWith("cmp_", done.GetProperty("id").GetString());
        Assert.Empty(compaction[^1].GetProperty("response").GetProperty("output").EnumerateArray());
        Assert.Equal("response.completed", Type(compaction[^1]));
    }

    [Fact]
    public async Task UnknownFrameType_AnswersAnErrorFrameWithStatus400()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        await using var client = await WsClient.ConnectAsync(sim, account, account.MintTokens());

        await client.SendAsync(new JsonObject { ["type"] = "response.append", ["input"] = new JsonArray() });
        var error = Assert.Single(await client.ReadResponseAsync());

        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("invalid_value", error.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task HttpOnlyRules_AreRelaxed_ButWebSocketOnlyFieldsStayRefusedOverHttp()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableWebSockets = true);
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var http = TestSim.Client(sim);
        var body = ResponsesRequests.CodexLike("x");
        body["previous_response_id"] = "resp_1";

        using var refused = await http.SendAsync(ResponsesRequests.Post(account, tokens, body));
        await using var client = await WsClient.ConnectAsync(sim, account, tokens);
        var frame = WsClient.Create("no stream flag");
        frame.Remove("stream");
        await client.SendAsync(frame);
        var answer = await client.ReadResponseAsync();

        Assert.Equal("""{"detail":"Unsupported parameter: previous_response_id"}""", await refused.Content.ReadAsStringAsync());
        Assert.Equal("response.completed", Type(answer[^1]));
    }

    private static string Type(JsonElement frame) => frame.GetProperty("type").GetString()!;
}
