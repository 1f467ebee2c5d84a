using System.Net;
using System.Text.Json;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

public sealed class ResponsesStreamTests
{
    [Fact]
    public async Task CodexLikeRequest_StreamsTheRealEventSequenceWithDeterministicText()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("ping one")));
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.output_item.done",
             "response.output_item.added", "response.content_part.added", "response.output_text.delta"],
            events.Select(e => e.Event).Take(7));
        Assert.All(events, e => Assert.Equal(e.Event, e.Type));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        var text = string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal("Hello from a@x.test: ping one", text);
        var done = events.Last(e => e.Event == "response.output_item.done").Data.GetProperty("item");
        Assert.Equal("message", done.GetProperty("type").GetString());
        Assert.Equal("Hello from a@x.test: ping one", done.GetProperty("content")[0].GetProperty("text").GetString());
        var completed = events[^1];
        Assert.Equal("response.completed", completed.Event);
        var usage = completed.Data.GetProperty("response").GetProperty("usage");
        Assert.True(usage.GetProperty("input_tokens").GetInt32() > 0);
        Assert.Equal(0, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.True(usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Array, completed.Data.GetProperty("response").GetProperty("output").ValueKind);
        Assert.Equal(1, account.CompletedResponseCount);
    }

    [Fact]
    public async Task SuccessfulResponse_CarriesRateLimitHeaders_AndMovesUsage()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test", "pro");
        account.SetPrimaryUsage(10);
        account.SetSecondaryUsage(40);
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("hi")));
        await response.Content.ReadAsStringAsync();
        string Header(string name) => response.Headers.GetValues(name).Single();

        Assert.Equal("10", Header("x-codex-primary-used-percent"));
        Assert.Equal("300", Header("x-codex-primary-window-minutes"));
        Assert.Equal(TestSim.Epoch.AddHours(5).ToUnixTimeSeconds().ToString(), Header("x-codex-primary-reset-at"));
        Assert.Equal("18000", Header("x-codex-primary-reset-after-seconds"));
        Assert.Equal("40", Header("x-codex-secondary-used-percent"));
        Assert.Equal("10080", Header("x-codex-secondary-window-minutes"));
        Assert.Equal("604800", Header("x-codex-secondary-reset-after-seconds"));
        Assert.Equal("pro", Header("x-codex-plan-type"));
        Assert.True(response.Headers.Contains("x-codex-active-limit"));
        Assert.Equal(sim.Options.ModelsEtag, Header("x-models-etag"));
        var after = account.GetUsage();
        Assert.Equal(11, after.Primary.UsedPercent);
        Assert.Equal(40.2, after.Secondary!.UsedPercent);
    }

    [Fact]
    public async Task FunctionCallBehavior_StreamsAToolCallItem()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.EnqueueBehavior(ResponseBehavior.FunctionCall("exec_command", """{"cmd":"ls"}""", "call_fixed"));
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("list")));
        var events = await SseReader.ReadAllAsync(response);

        var item = events.Last(e => e.Event == "response.output_item.done").Data.GetProperty("item");
        Assert.Equal("function_call", item.GetProperty("type").GetString());
        Assert.Equal("exec_command", item.GetProperty("name").GetString());
        Assert.Equal("call_fixed", item.GetProperty("call_id").GetString());
        Assert.Equal("""{"cmd":"ls"}""", item.GetProperty("arguments").GetString());
        Assert.Contains(events, e => e.Event == "response.function_call_arguments.delta");
        Assert.Equal("response.completed", events[^1].Event);
    }

    [Fact]
    public async Task ReplyBehavior_UsesTheScriptedText_ThenFallsBackToEcho()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.EnqueueBehavior(ResponseBehavior.Reply("scripted words"));
        using var client = TestSim.Client(sim);

        using var first = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x")));
        using var second = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("y")));

        Assert.Equal("scripted words", Text(await SseReader.ReadAllAsync(first)));
        Assert.Equal("Hello from a@x.test: y", Text(await SseReader.ReadAllAsync(second)));
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    public async Task CompressedRequestBody_IsDecompressedAndRecorded(string encoding)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("squeezed"), encoding));
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello from a@x.test: squeezed", Text(events));
        var recorded = sim.Requests.ForPath("/backend-api/codex/responses").Single();
        Assert.Equal(encoding, recorded.ContentEncoding);
        Assert.Equal("gpt-5.5", recorded.Field("model"));
        Assert.Same(account, recorded.Account);
        Assert.Equal(200, recorded.StatusCode);
    }

    [Fact]
    public async Task RepeatedPromptCacheKey_ReportsCachedTokens()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);
        var body = ResponsesRequests.CodexLike("cache me");

        using var first = await client.SendAsync(ResponsesRequests.Post(account, tokens, body));
        using var second = await client.SendAsync(ResponsesRequests.Post(account, tokens, body));

        static int Cached(List<SseMessage> events) => events[^1].Data.GetProperty("response").GetProperty("usage")
            .GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.Equal(0, Cached(await SseReader.ReadAllAsync(first)));
        Assert.True(Cached(await SseReader.ReadAllAsync(second)) > 0);
    }

    [Fact]
    public async Task SlowBehavior_WaitsOnTheFakeClockBeforeEveryEvent()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        var delay = TimeSpan.FromSeconds(2);
        account.EnqueueBehavior(ResponseBehavior.Slow(delay));
        using var client = TestSim.Client(sim);
        var start = sim.TimeProvider.GetUtcNow();

        var read = Task.Run(async () =>
        {
            using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("slow")));
            return await SseReader.ReadAllAsync(response);
        });
        await sim.WaitForPausedStreamAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var nothingYet = read.IsCompleted;
        var advances = await sim.DriveAsync(read, delay);
        var events = await read;

        Assert.False(nothingYet);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.True(advances >= events.Count, $"{advances} clock steps for {events.Count} events");
        Assert.True(sim.TimeProvider.GetUtcNow() - start >= delay * events.Count);
    }

    [Fact]
    public async Task WebSocketUpgradeAttempt_Answers426()
    {
        await using var sim = await TestSim.StartAsync();
        using var client = TestSim.Client(sim);
        using var request = new HttpRequestMessage(HttpMethod.Get, ResponsesRequests.Path);
        request.Headers.Add("openai-beta", "responses_websockets=2026-02-06");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    private static string Text(List<SseMessage> events) =>
        string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
}
