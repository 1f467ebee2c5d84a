using MultiCodex.Testing;
using Xunit.Abstractions;
using System.Text.Json;

namespace MultiCodex.Simulator.Tests.Cli;

/// <summary>The real Codex CLI against the fake: the proof that the fake is faithful enough.</summary>
public sealed class CodexCliTests(ITestOutputHelper output)
{
    private const string Prompt = "Say hello to the simulator";

    [Fact]
    public async Task CodexExec_WithChatGptAuth_CompletesATurnAgainstTheFake()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true });
        var account = sim.AddAccount("cli@x.test", "plus");
        var tokens = account.MintTokens();
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, tokens);

        var result = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, Prompt);
        Report(sim, result);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Hello from cli@x.test: {Prompt}", result.StdOut);
        var turn = Assert.Single(sim.Requests.ForPath("/backend-api/codex/responses", "POST"));
        Assert.Equal(200, turn.StatusCode);
        Assert.True(turn.IsTls);
        Assert.Equal("zstd", turn.ContentEncoding);
        Assert.Equal($"Bearer {tokens.AccessToken}", turn.Header("Authorization"));
        Assert.Equal(account.ChatGptAccountId, turn.Header("ChatGPT-Account-ID"));
        Assert.Equal("false", turn.Field("store"));
        Assert.NotEmpty(sim.Requests.ForPath("/backend-api/wham/accounts/check"));
        Assert.Equal(1, account.CompletedResponseCount);
        Assert.Equal(0, account.RefreshGrantCount);
    }

    [Fact]
    public async Task CodexExec_WithExpiredAccessToken_RefreshesAgainstTheFakeThenCompletes()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true });
        var account = sim.AddAccount("expired@x.test", "pro");
        var stale = account.MintTokens(accessTokenLifetime: TimeSpan.FromMinutes(-1));
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, stale);

        var result = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, Prompt);
        Report(sim, result);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Hello from expired@x.test: {Prompt}", result.StdOut);
        Assert.Equal(1, account.RefreshGrantCount);
        var refresh = Assert.Single(sim.Requests.ForPath("/oauth/token"));
        Assert.Equal("refresh_token", refresh.Field("grant_type"));
        Assert.Equal(stale.RefreshToken, refresh.Field("refresh_token"));
        Assert.Equal(200, refresh.StatusCode);
        var turn = Assert.Single(sim.Requests.ForPath("/backend-api/codex/responses", "POST"));
        Assert.NotEqual($"Bearer {stale.AccessToken}", turn.Header("Authorization"));
        using var authJson = JsonDocument.Parse(await File.ReadAllTextAsync(sandbox.AuthJsonPath));
        Assert.NotEqual(stale.RefreshToken, authJson.RootElement.GetProperty("tokens").GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task CodexExec_WhenTheServerRevokesTheAccessToken_Recovers401WithOneRefresh()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true });
        var account = sim.AddAccount("recover@x.test");
        var tokens = account.MintTokens();
        account.ExpireAccessTokens();
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, tokens);

        var result = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, Prompt);
        Report(sim, result);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Hello from recover@x.test: {Prompt}", result.StdOut);
        Assert.Equal(1, account.RefreshGrantCount);
        Assert.Equal("unauthorized_recovery", Assert.Single(sim.Requests.ForPath("/oauth/token")).Field("refresh_reason"));
    }

    [Fact]
    public async Task CodexExec_On429UsageLimitReached_StopsAtOnceWithTheUsageLimitMessage()
    {
        var binary = CodexCli.FindBinary();
        await using var sim = await FakeChatGpt.StartAsync(new FakeChatGptOptions { EnableTls = true });
        var account = sim.AddAccount("limited@x.test");
        account.SetPrimaryUsage(100, DateTimeOffset.UtcNow.AddMinutes(42));
        using var sandbox = ChatGptAuthCli.Prepare(sim, account, account.MintTokens());

        var result = await ChatGptAuthCli.ExecAsync(binary, sim, sandbox, Prompt);
        Report(sim, result);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("usage limit", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(429, Assert.Single(sim.Requests.ForPath("/backend-api/codex/responses", "POST")).StatusCode);
    }

    /// <summary>Puts what the CLI printed and what it asked for into the test output (no headers, so no tokens).</summary>
    private void Report(FakeChatGpt sim, CliResult result)
    {
        output.WriteLine(result.ToString());
        foreach (var request in sim.Requests.All())
        {
            output.WriteLine($"{request.Timestamp:HH:mm:ss.fff} {request}");
        }

        if (sim.Requests.ForPath("/backend-api/codex/responses", "POST").LastOrDefault()?.Json is { } body)
        {
            output.WriteLine("responses body fields: " + string.Join(", ", body.EnumerateObject().Select(p => p.Name)));
            output.WriteLine("tool types: " + string.Join(", ", body.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("type").GetString()).Distinct()));
            output.WriteLine("reasoning: " + (body.TryGetProperty("reasoning", out var r) ? r.GetRawText() : "absent"));
        }
    }
}
