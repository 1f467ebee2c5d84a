using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

/// <summary>Compaction V2 over HTTP (a final trigger, one compaction item back, the retired /compact path) and the
/// Responses Lite tool limits.</summary>
public sealed class CompactionAndLiteTests
{
    private static readonly JsonObject Trigger = new() { ["type"] = "compaction_trigger" };

    [Fact]
    public async Task FinalTrigger_AnswersExactlyOneCompactionItem_AndAnEmptyCompletedOutput()
    {
        await using var sim = await TestSim.StartAsync(o => o.IncludeOutputInCompleted = true);
        var account = sim.AddAccount("a@x.test");
        var body = ResponsesRequests.CodexLike("compact me");
        body["input"]!.AsArray().Add(Trigger.DeepClone());

        var (status, events) = await StreamAsync(sim, account, body);

        Assert.Equal(HttpStatusCode.OK, status);
        var done = Assert.Single(events, e => e.Event == "response.output_item.done" && Item(e).GetProperty("type").GetString() == "compaction");
        Assert.StartsWith("cmp_", Item(done).GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(Item(done).GetProperty("encrypted_content").GetString()));
        Assert.DoesNotContain(events, e => e.Event == "response.output_text.delta");
        Assert.Empty(events[^1].Data.GetProperty("response").GetProperty("output").EnumerateArray());
        Assert.Equal(1, account.CompletedResponseCount);
    }

    [Theory]
    [InlineData("not-last")]
    [InlineData("twice")]
    public async Task MisplacedOrRepeatedTrigger_Answers400(string shape)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var body = ResponsesRequests.CodexLike("x");
        var input = body["input"]!.AsArray();
        input.Insert(shape == "not-last" ? 1 : input.Count, Trigger.DeepClone());
        if (shape == "twice")
        {
            input.Add(Trigger.DeepClone());
        }

        var (status, text) = await PostAsync(sim, account, body);
        var error = JsonNode.Parse(text)!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_value", (string?)error["code"]);
        Assert.Contains("compaction_trigger", (string?)error["message"]);
        Assert.Equal(0, account.CompletedResponseCount);
    }

    [Fact]
    public async Task CompactionItemSentBack_IsAccepted_ButForgedContentIsRefused()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var compactBody = ResponsesRequests.CodexLike("compact me");
        compactBody["input"]!.AsArray().Add(Trigger.DeepClone());
        var (_, events) = await StreamAsync(sim, account, compactBody);
        var minted = Item(events.Single(e => e.Event == "response.output_item.done"));

        var next = ResponsesRequests.CodexLike("after compaction");
        next["input"]!.AsArray().Insert(1, JsonNode.Parse(minted.GetRawText()));
        var (accepted, _) = await PostAsync(sim, account, next);
        var forged = ResponsesRequests.CodexLike("forged");
        forged["input"]!.AsArray().Insert(1, new JsonObject { ["type"] = "compaction", ["id"] = "cmp_x", ["encrypted_content"] = "gAAAACnot-ours.sig" });
        var (refused, text) = await PostAsync(sim, account, forged);

        Assert.Equal(HttpStatusCode.OK, accepted);
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("invalid_encrypted_content", (string?)JsonNode.Parse(text)!["error"]!["code"]);
    }

    [Fact]
    public async Task RetiredCompactPath_Answers404()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        using var request = ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("x"));
        request.RequestUri = new Uri(ResponsesRequests.Path + "/compact", UriKind.Relative);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ResponsesLite_WithClientTools_IsAccepted()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");

        var (status, _) = await PostAsync(sim, account, LiteBody(new JsonObject { ["type"] = "tool_search", ["execution"] = "client" }), lite: true);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task ResponsesLite_WithAHostedTool_Answers400InTheUpstreamWords()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");

        var (status, text) = await PostAsync(sim, account, LiteBody(new JsonObject { ["type"] = "web_search", ["external_web_access"] = false }), lite: true);
        var (withoutHeader, _) = await PostAsync(sim, account, LiteBody(new JsonObject { ["type"] = "web_search" }), lite: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            """{"error":{"code":"unsupported_value","message":"X-OpenAI-Internal-Codex-Responses-Lite only supports function tools, custom tools, and client-executed tool search.","param":"tools","type":"invalid_request_error"}}""",
            text);
        Assert.Equal(HttpStatusCode.OK, withoutHeader);
    }

    /// <summary>The Lite layout: no top-level tools or instructions; an additional_tools item plus a developer item.</summary>
    private static JsonObject LiteBody(JsonObject extraTool)
    {
        var body = ResponsesRequests.CodexLike("lite", "gpt-6.2-sol");
        body.Remove("tools");
        body["input"]!.AsArray().Insert(0, new JsonObject
        {
            ["type"] = "additional_tools",
            ["tools"] = new JsonArray(
                new JsonObject { ["type"] = "function", ["name"] = "exec_command", ["parameters"] = new JsonObject { ["type"] = "object" } },
                new JsonObject { ["type"] = "custom", ["name"] = "apply_patch" },
                extraTool),
        });
        return body;
    }

    private static JsonElement Item(SseMessage message) => message.Data.GetProperty("item");

    private static async Task<(HttpStatusCode, List<SseMessage>)> StreamAsync(FakeChatGpt sim, SimAccount account, JsonObject body)
    {
        using var client = TestSim.Client(sim);
        using var response = await client.SendAsync(ResponsesRequests.Post(account, account.MintTokens(), body));
        return (response.StatusCode, await SseReader.ReadAllAsync(response));
    }

    private static async Task<(HttpStatusCode, string)> PostAsync(FakeChatGpt sim, SimAccount account, JsonObject body, bool lite = false)
    {
        using var client = TestSim.Client(sim);
        using var request = ResponsesRequests.Post(account, account.MintTokens(), body);
        if (lite)
        {
            request.Headers.Add("X-OpenAI-Internal-Codex-Responses-Lite", "true");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
