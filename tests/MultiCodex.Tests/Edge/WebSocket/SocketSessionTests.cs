using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Edge.Pool;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// The Responses WebSocket through the real Edge and Control to the fake backend's WebSocket: warmups, continuations
/// on the same upstream socket, tool round trips, failover before the first event with the conversation rebuilt,
/// errors before and after it, interrupts, a client that goes away, and the record of each request.
/// </summary>
public sealed class SocketSessionTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _proxy.Upstream.WebSocketsEnabled = true;
        _key = await _proxy.CreateKeyAsync("ws");
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

        Assert.Equal(["codex.rate_limits", "response.created", "response.completed"], warmup.Select(EdgeSocket.TypeOf));
        Assert.Equal("Hello from ws@example.com: First turn", EdgeSocket.Text(first));
        Assert.Equal("Hello from ws@example.com: Second turn", EdgeSocket.Text(second));
        // Events MultiCodex does not interpret (rate limits, turn state) reach the client as the upstream sent them.
        Assert.Contains(first, f => EdgeSocket.TypeOf(f) == "response.metadata" && f.GetProperty("headers").TryGetProperty("x-codex-turn-state", out _));
        Assert.Single(first, f => EdgeSocket.TypeOf(f) == "response.completed");
        var frames = _proxy.Upstream.WebSocketFrames.All();
        Assert.Equal(3, frames.Count);
        Assert.Single(frames.Select(f => f.ConnectionId).Distinct());
        Assert.True(frames[0].IsWarmup);
        Assert.Equal(frames[0].ResponseId, frames[1].PreviousResponseId);
        Assert.Equal(frames[1].ResponseId, frames[2].PreviousResponseId);
        Assert.Equal(EdgeSocket.ResponseId(first), frames[1].ResponseId);
        // Only the new item went upstream: the continuation stayed a continuation.
        Assert.Single(frames[2].Json!.Value.GetProperty("input").EnumerateArray());
        await AssertRecordedAsync(3);
    }

    [Fact]
    public async Task ToolRoundTrip_SendsOnlyTheToolOutput_OnTheSameUpstreamSocket()
    {
        var (sim, _) = await _proxy.AddAccountAsync("tool@example.com");
        sim.EnqueueBehavior(ResponseBehavior.FunctionCall("exec_command", """{"cmd":"ls"}""", "call_1"));
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var call = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("List the files")));
        var output = new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "README.md" };
        var answer = await client.AskAsync(EdgeSocket.Create(new JsonArray(output), EdgeSocket.ResponseId(call)));

        Assert.Contains(call, f => EdgeSocket.TypeOf(f) == "response.output_item.done" && f.GetProperty("item").GetProperty("type").GetString() == "function_call");
        Assert.Equal("response.completed", EdgeSocket.TypeOf(answer[^1]));
        var frames = _proxy.Upstream.WebSocketFrames.All();
        Assert.Equal(EdgeSocket.ResponseId(call), frames[1].PreviousResponseId);
        Assert.Equal(frames[0].ConnectionId, frames[1].ConnectionId);
        Assert.Equal("function_call_output", frames[1].Json!.Value.GetProperty("input")[0].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("429")]
    [InlineData("in-stream")]
    [InlineData("rate_limit_exceeded")]
    public async Task QuotaBeforeTheFirstEvent_MovesTheTurnToAnotherAccount_WithTheConversationRebuilt(string form)
    {
        var (first, firstId) = await _proxy.AddAccountAsync("first@example.com", priority: 0);
        await _proxy.AddAccountAsync("second@example.com", priority: 1);
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);
        var warmup = await client.AskAsync(EdgeSocket.Warmup());
        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One"), EdgeSocket.ResponseId(warmup)));
        first.EnqueueBehavior(form switch
        {
            "429" => ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(2)),
            "in-stream" => ResponseBehavior.UsageLimitReachedInStream(TimeSpan.FromHours(2)),
            _ => ResponseBehavior.RateLimitExceeded(),
        });

        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));
        var three = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Three"), EdgeSocket.ResponseId(two)));

        Assert.Equal("Hello from first@example.com: One", EdgeSocket.Text(one));
        Assert.Equal("Hello from second@example.com: Two", EdgeSocket.Text(two));
        Assert.Equal("Hello from second@example.com: Three", EdgeSocket.Text(three));
        Assert.DoesNotContain(two, f => EdgeSocket.TypeOf(f) is "error" or "response.failed");
        var frames = _proxy.Upstream.WebSocketFrames.All();
        var moved = frames.Single(f => f.Account.Email == "second@example.com" && f.PreviousResponseId is null);
        // The continuation did not move: a full request went to the other account, with the whole conversation.
        var input = moved.Json!.Value.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["developer", "user", "assistant", "user"], input.Select(i => i.GetProperty("role").GetString()));
        Assert.Contains("One", input[1].GetRawText());
        Assert.Contains("Hello from first@example.com: One", input[2].GetRawText());
        Assert.Contains("Two", input[3].GetRawText());
        // … and the turn after it is a continuation again, on the new socket.
        var last = frames[^1];
        Assert.Equal(EdgeSocket.ResponseId(two), last.PreviousResponseId);
        Assert.Equal(moved.ConnectionId, last.ConnectionId);
        if (form != "rate_limit_exceeded")
        {
            await _proxy.Stack.Edge.FlushReportsAsync();
            Assert.Equal("STATE_BLOCKED", (string?)(await _proxy.AccountAsync(firstId))["state"]);
        }
    }

    [Fact]
    public async Task EveryAccountAtItsLimit_AnswersOneErrorFrame_WithTheStatusAndTypeCodexReads()
    {
        var (only, _) = await _proxy.AddAccountAsync("only@example.com");
        only.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var answer = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Over the limit")));
        var after = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Still over")));

        var error = Assert.Single(answer);
        Assert.Equal("error", EdgeSocket.TypeOf(error));
        Assert.Equal(429, error.GetProperty("status").GetInt32());
        Assert.Equal("usage_limit_reached", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("error", EdgeSocket.TypeOf(Assert.Single(after)));
    }

    [Fact]
    public async Task RequestErrorBeforeTheFirstEvent_IsOneErrorFrameWithItsStatus_AndTheSocketGoesOn()
    {
        var (sim, _) = await _proxy.AddAccountAsync("bad@example.com");
        sim.EnqueueBehavior(ResponseBehavior.BadRequest("Unsupported value: 'x'."));
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var refused = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Bad")));
        var next = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Good")));

        var error = Assert.Single(refused);
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("Hello from bad@example.com: Good", EdgeSocket.Text(next));
    }

    [Fact]
    public async Task UpstreamDropAfterTheFirstEvent_EndsTheRequestWithOneErrorFrame_ThatCodexRetries()
    {
        var (sim, _) = await _proxy.AddAccountAsync("drop@example.com");
        sim.EnqueueBehavior(ResponseBehavior.DropMidStream(deltasBeforeDrop: 2));
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var dropped = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Drop me")));
        var retried = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Drop me")));

        Assert.Equal(2, dropped.Count(f => EdgeSocket.TypeOf(f) == "response.output_text.delta"));
        var error = dropped[^1];
        Assert.Equal("error", EdgeSocket.TypeOf(error));
        Assert.Equal(502, error.GetProperty("status").GetInt32()); // a 5xx: Codex resends in full on a new socket
        Assert.Single(dropped, f => EdgeSocket.TypeOf(f) is "error" or "response.completed" or "response.failed");
        Assert.Equal("Hello from drop@example.com: Drop me", EdgeSocket.Text(retried));
        Assert.Equal(2, _proxy.Upstream.WebSocketConnectionCount);
    }

    [Fact]
    public async Task ContinuationOfAResponseTheSocketNeverHad_IsPreviousResponseNotFound()
    {
        await _proxy.AddAccountAsync("ids@example.com");
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var answer = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Hi"), "resp_from_elsewhere"));

        var error = Assert.Single(answer);
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("previous_response_not_found", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_proxy.Upstream.WebSocketFrames.All());
    }

    [Fact]
    public async Task UnknownOrBrokenClientFrames_AreAnswered400_AndTheSocketGoesOn()
    {
        await _proxy.AddAccountAsync("frames@example.com");
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        await client.SendTextAsync("""{"type":"response.append","input":[]}""");
        var unknown = await client.ReceiveAsync();
        await client.SendTextAsync("not json");
        var broken = await client.ReceiveAsync();
        var next = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Fine")));

        Assert.Equal(400, unknown!.Value.GetProperty("status").GetInt32());
        Assert.Equal("invalid_value", unknown.Value.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(400, broken!.Value.GetProperty("status").GetInt32());
        Assert.Equal("Hello from frames@example.com: Fine", EdgeSocket.Text(next));
    }

    [Fact]
    public async Task Interrupt_EndsTheResponseWithResponseIncomplete_AndItCanBeContinued()
    {
        var (sim, _) = await _proxy.AddAccountAsync("stop@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(500)));
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        await client.SendAsync(EdgeSocket.Create(EdgeSocket.User("Long answer")));
        string? id = null;
        while (id is null && await client.ReceiveAsync() is { } frame)
        {
            id = EdgeSocket.TypeOf(frame) == "response.created" ? frame.GetProperty("response").GetProperty("id").GetString() : null;
        }
        await client.SendAsync(new JsonObject { ["type"] = "response.interrupt", ["response_id"] = id, ["mode"] = "discard_partial_items" });
        var rest = await client.ReadResponseAsync();
        var next = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Shorter"), id));

        var end = rest[^1];
        Assert.Equal("response.incomplete", EdgeSocket.TypeOf(end));
        Assert.Equal("interrupted", end.GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("Hello from stop@example.com: Shorter", EdgeSocket.Text(next));
        Assert.Equal(id, _proxy.Upstream.WebSocketFrames.All().Last(f => f.Type == "response.create").PreviousResponseId);
    }

    [Fact]
    public async Task ClientThatGoesAway_CancelsTheUpstreamResponse_AndEndsTheLease()
    {
        var (sim, _) = await _proxy.AddAccountAsync("gone@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(500)));
        var view = _proxy.Stack.Edge.Services.GetRequiredService<PoolView>();
        var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        await client.SendAsync(EdgeSocket.Create(EdgeSocket.User("Long answer")));
        while (await client.ReceiveAsync() is { } frame && EdgeSocket.TypeOf(frame) != "response.created")
        {
        }
        Assert.Equal(1, view.InFlight());
        await client.DisposeAsync(); // as Codex leaves: no close frame

        await view.WaitUntilNoLeaseInFlightAsync(() => _proxy.Upstream.OpenWebSocketCount == 0);
        Assert.Equal(0, view.InFlight());
        Assert.Equal(0, _proxy.Upstream.OpenWebSocketCount);
        Assert.Null(_proxy.Upstream.WebSocketFrames.All().Single().Outcome); // cut before it could finish
    }

    [Fact]
    public async Task UpstreamClosingItsIdleSocket_IsInvisible_TheNextTurnIsRebuiltOnANewOne()
    {
        await _proxy.AddAccountAsync("idle@example.com");
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);
        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));

        await _proxy.Upstream.CloseWebSocketsAsync();
        for (var i = 0; i < 500 && _proxy.Upstream.OpenWebSocketCount > 0; i++)
        {
            await Task.Delay(10);
        }
        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));

        Assert.Equal("Hello from idle@example.com: Two", EdgeSocket.Text(two));
        var last = _proxy.Upstream.WebSocketFrames.All()[^1];
        Assert.Null(last.PreviousResponseId);
        Assert.Equal(3, last.Json!.Value.GetProperty("input").GetArrayLength());
        Assert.Equal(2, _proxy.Upstream.WebSocketConnectionCount);
    }

    [Fact]
    public async Task UpstreamWithoutWebSockets_ServesTheClientSocketOverHttp_WarmupLocal_ContinuationsRebuilt()
    {
        _proxy.Upstream.WebSocketsEnabled = false;
        await _proxy.AddAccountAsync("http@example.com");
        await using var client = await EdgeSocket.ConnectAsync(_proxy.Stack.Edge.Url, _key);

        var warmup = await client.AskAsync(EdgeSocket.Warmup());
        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One"), EdgeSocket.ResponseId(warmup)));
        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));

        Assert.Equal(["response.created", "response.completed"], warmup.Select(EdgeSocket.TypeOf));
        Assert.Equal("Hello from http@example.com: One", EdgeSocket.Text(one));
        Assert.Equal("Hello from http@example.com: Two", EdgeSocket.Text(two));
        var posts = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "POST");
        Assert.Equal(2, posts.Count); // the warmup never went upstream
        var body = JsonNode.Parse(posts[^1].BodyText!)!.AsObject();
        Assert.False(body.ContainsKey("previous_response_id"));
        Assert.False(body.ContainsKey("generate"));
        Assert.False(body.ContainsKey("type"));
        Assert.Equal(["developer", "user", "assistant", "user"], body["input"]!.AsArray().Select(i => (string?)i!["role"]));
    }

    [Fact]
    public async Task UpgradeWithoutTheClientKey_Is401_AndAPlainGet_Is426()
    {
        var (socket, status) = await EdgeSocket.TryConnectAsync(_proxy.Stack.Edge.Url, key: "sk-wrong");
        using var plain = new HttpRequestMessage(HttpMethod.Get, "/v1/responses");
        plain.Headers.Authorization = new("Bearer", _key);
        var get = await _proxy.Client.SendAsync(plain);

        Assert.Null(socket);
        Assert.Equal(401, status);
        Assert.Equal(426, (int)get.StatusCode);
    }

    // Each answered frame is one request in the history, over the WebSocket transport.
    private async Task AssertRecordedAsync(int count)
    {
        await _proxy.Stack.Edge.FlushReportsAsync();
        var page = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/requests?transport=websocket");
        var requests = page!["requests"]!.AsArray();
        Assert.Equal(count, requests.Count);
        Assert.All(requests, r => Assert.Equal("websocket", (string?)r!["transport"]));
    }
}
