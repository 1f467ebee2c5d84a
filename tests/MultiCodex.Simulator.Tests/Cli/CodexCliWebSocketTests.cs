using MultiCodex.Testing;
using Xunit.Abstractions;

namespace MultiCodex.Simulator.Tests.Cli;

/// <summary>The real Codex CLI (ChatGPT auth) against the fake's Responses WebSocket: the proof that the WebSocket side
/// of the fake is faithful enough.</summary>
public sealed class CodexCliWebSocketTests(ITestOutputHelper output)
{
    private const string Responses = "/backend-api/codex/responses";

    [Fact]
    public async Task ExecThenResume_RunOverTheWebSocket_WithAWarmupAndAContinuationEach()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true, EnableWebSockets = true });
        var account = sim.AddAccount("ws@x.test");
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, account.MintTokens());

        var first = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, "First over the socket");
        var second = await ChatGptAuthCli.ResumeAsync(binary, sim, sandbox, "Second over the socket");
        Report(sim, first, second);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Hello from ws@x.test: First over the socket", first.StdOut);
        Assert.Contains("Hello from ws@x.test: Second over the socket", second.StdOut);
        Assert.Empty(sim.Requests.ForPath(Responses, "POST"));
        var frames = sim.WebSocketFrames.All();
        foreach (var connection in frames.GroupBy(f => f.ConnectionId))
        {
            var (warmup, turn) = (connection.First(), connection.Last());
            Assert.True(warmup.IsWarmup);
            Assert.Equal("response.completed", warmup.Outcome);
            Assert.Equal(warmup.ResponseId, turn.PreviousResponseId);
            Assert.Equal("response.completed", turn.Outcome);
        }

        Assert.Equal(2, frames.Select(f => f.ConnectionId).Distinct().Count());
        Assert.Equal(2, account.CompletedResponseCount);
    }

    [Fact]
    public async Task QuotaErrorFrame_StopsTheCliAtOnceWithTheUsageLimitMessage()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true, EnableWebSockets = true });
        var account = sim.AddAccount("limited-ws@x.test");
        account.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(42)));
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, account.MintTokens());

        var result = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, "Hit the limit");
        Report(sim, result);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("usage limit", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Single(sim.WebSocketFrames.All(), f => !f.IsWarmup);
        Assert.Empty(sim.Requests.ForPath(Responses, "POST"));
    }

    [Fact]
    public async Task ConnectionLimitReached_MakesTheCliReconnect_AndSendTheFullRequest()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true, EnableWebSockets = true });
        var account = sim.AddAccount("lost@x.test");
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, account.MintTokens());

        // An age limit of zero refuses the first request on every socket; codex reconnects, so the limit goes up again
        // once the first refusal is seen.
        sim.Options.WebSocketMaxConnectionAge = TimeSpan.Zero;
        var refused = sim.WebSocketFrames.WaitForAsync(f => f.Outcome == "error 400", TimeSpan.FromSeconds(60));
        var run = ChatGptAuthCli.ExecAsync(binary, sim, sandbox, "Survive a connection limit");
        await refused;
        sim.Options.WebSocketMaxConnectionAge = TimeSpan.FromMinutes(60);
        var result = await run;
        Report(sim, result);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Hello from lost@x.test: Survive a connection limit", result.StdOut);
        var last = sim.WebSocketFrames.All().Last();
        Assert.Equal("response.completed", last.Outcome);
        Assert.Null(last.PreviousResponseId);
        Assert.True(sim.WebSocketConnectionCount >= 2);
    }

    private void Report(FakeChatGpt sim, params CliResult[] results)
    {
        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }

        foreach (var frame in sim.WebSocketFrames.All())
        {
            output.WriteLine($"{frame} prev={frame.PreviousResponseId} id={frame.ResponseId}");
        }
    }
}
