using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>
/// Compaction V2 through /v1/responses: a final <c>compaction_trigger</c> travels as it came and its one
/// <c>compaction</c> item reaches the client, streamed or aggregated; a trigger the upstream would refuse is refused
/// here with the reason; the retired <c>/compact</c> path is never called.
/// </summary>
public sealed class CompactionV2Tests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private const string History = """{"type":"message","role":"user","content":[{"type":"input_text","text":"a long history"}]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"noted"}]}""";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task FinalTrigger_Streaming_ReachesTheUpstreamUnchanged_AndTheClientGetsItsOneCompactionItem()
    {
        await _proxy.AddAccountAsync("compact@example.com");
        var input = $$"""[{{History}},{"type":"compaction_trigger"}]""";

        var events = await StreamAsync($$"""{"model":"gpt-5.5","input":{{input}},"prompt_cache_key":"thread-c","stream":true}""");

        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single();
        Assert.Contains("\"input\":" + input + ",", sent.BodyText);
        var compaction = Assert.Single(events, e => e.Type == "response.output_item.done");
        Assert.Equal("compaction", (string?)compaction.Data["item"]!["type"]);
        Assert.StartsWith("cmp_", (string?)compaction.Data["item"]!["id"]);
        Assert.Equal("response.completed", events[^1].Type);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath + "/compact"));
    }

    [Fact]
    public async Task FinalTrigger_Aggregated_TheResponseHoldsTheOneCompactionItem_ThoughCompletedOutputIsEmpty()
    {
        await _proxy.AddAccountAsync("compact-agg@example.com");

        var response = await _proxy.Client.PostAsync("/v1/responses",
            Json($$"""{"model":"gpt-5.5","input":[{{History}},{"type":"compaction_trigger"}]}"""));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var item = Assert.Single(body["output"]!.AsArray());
        Assert.Equal("compaction", (string?)item!["type"]);
        Assert.False(string.IsNullOrEmpty((string?)item["encrypted_content"]));
        // The Simulator, like the upstream, leaves response.completed's output empty: the item came from output_item.done.
        Assert.Equal("completed", (string?)body["status"]);
    }

    [Fact]
    public async Task TheCompactionItem_GoesBackAsInput_OnTheNextTurn()
    {
        await _proxy.AddAccountAsync("compact-next@example.com");
        var compacted = JsonNode.Parse(await (await _proxy.Client.PostAsync("/v1/responses",
            Json($$"""{"model":"gpt-5.5","input":[{{History}},{"type":"compaction_trigger"}]}"""))).Content.ReadAsStringAsync())!;
        var item = compacted["output"]![0]!.ToJsonString();

        var next = await _proxy.Client.PostAsync("/v1/responses", Json($$"""
            {"model":"gpt-5.5","input":[{{item}},{"type":"message","role":"user","content":[{"type":"input_text","text":"and now?"}]}]}
            """));

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Contains("and now?", (string?)JsonNode.Parse(await next.Content.ReadAsStringAsync())!["output_text"]);
    }

    public static TheoryData<string, string, string> RefusedTriggers => new()
    {
        { $$"""[{{History}},{"type":"compaction_trigger"},{"type":"compaction_trigger"}]""", "input[3]", "only one compaction_trigger" },
        { $$"""[{"type":"compaction_trigger"},{{History}}]""", "input[0]", "must be the last input item, but 2 item(s) follow it" },
    };

    [Theory]
    [MemberData(nameof(RefusedTriggers))]
    public async Task DuplicateOrNonFinalTrigger_Is400WithTheReason_AndNoAccountIsTried(string input, string where, string why)
    {
        await _proxy.AddAccountAsync("compact-bad@example.com");

        var response = await _proxy.Client.PostAsync("/v1/responses", Json($$"""{"model":"gpt-5.5","input":{{input}},"stream":true}"""));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("invalid_value", (string?)error["code"]);
        Assert.Equal("input", (string?)error["param"]);
        Assert.Contains(where, (string?)error["message"]);
        Assert.Contains(why, (string?)error["message"]);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    [Fact]
    public async Task TheRetiredCompactPath_Is404ExplainingCompactionV2_AndNeverReachesTheUpstream()
    {
        await _proxy.AddAccountAsync("compact-v1@example.com");

        var response = await _proxy.Client.PostAsync("/v1/responses/compact", Json("""{"model":"gpt-5.5","input":[]}"""));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("compaction_trigger", (string?)error["message"]);
        Assert.Contains("retired", (string?)error["message"]);
        Assert.DoesNotContain(_proxy.Upstream.Requests.All(), r => r.Path.EndsWith("/compact", StringComparison.Ordinal));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<List<(string Type, JsonNode Data)>> StreamAsync(string body)
    {
        using var response = await _proxy.Client.PostAsync("/v1/responses", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var events = new List<(string, JsonNode)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            if (lines.FirstOrDefault(l => l.StartsWith("event: "))?[7..] is { } type && lines.FirstOrDefault(l => l.StartsWith("data: "))?[6..] is { } data)
            {
                events.Add((type, JsonNode.Parse(data)!));
            }
        }
        return events;
    }
}
