using System.Text.Json;
using MultiCodex.Testing;
using Xunit.Abstractions;

namespace MultiCodex.Simulator.Tests.Cli;

/// <summary>The real Codex CLI compacts through the fake with compaction V2 (a final <c>compaction_trigger</c> item,
/// answered by one <c>compaction</c> item) and carries on with that item in its history.</summary>
public sealed class CodexCliCompactionTests(ITestOutputHelper output)
{
    private const string Responses = "/backend-api/codex/responses";

    [Fact]
    public async Task SmallAutoCompactLimit_CompactsWithATrigger_AndTheNextTurnCarriesTheCompactionItem()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true });
        var account = sim.AddAccount("compact@x.test");
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, account.MintTokens(), "model_auto_compact_token_limit = 2000");

        var first = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, "First turn");
        var second = await ChatGptAuthCli.ResumeAsync(binary, sim, sandbox, "Second turn");
        output.WriteLine(first.ToString());
        output.WriteLine(second.ToString());

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Hello from compact@x.test: Second turn", second.StdOut);
        var posts = sim.Requests.ForPath(Responses, "POST");
        Assert.Equal(3, posts.Count);
        Assert.All(posts, p => Assert.Equal(200, p.StatusCode));
        Assert.All(posts, p => Assert.Equal("remote_compaction_v2", p.Header("x-codex-beta-features")));
        var trigger = Items(posts[1]);
        Assert.Equal("compaction_trigger", Type(trigger[^1]));
        Assert.False(trigger[^1].TryGetProperty("id", out _));
        Assert.Single(trigger, i => Type(i) == "compaction_trigger");
        var next = Items(posts[2]);
        var compaction = Assert.Single(next, i => Type(i) == "compaction");
        Assert.StartsWith("cmp_", compaction.GetProperty("id").GetString());
        Assert.DoesNotContain(next, i => Type(i) == "compaction_trigger");
        Assert.Empty(sim.Requests.ForPath(Responses + "/compact"));
    }

    private static List<JsonElement> Items(RecordedRequest request) => request.Json!.Value.GetProperty("input").EnumerateArray().ToList();

    private static string? Type(JsonElement item) => item.TryGetProperty("type", out var t) ? t.GetString() : null;
}
