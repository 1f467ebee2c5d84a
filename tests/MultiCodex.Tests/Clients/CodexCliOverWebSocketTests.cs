using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Testing;
using MultiCodex.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MultiCodex.Tests.Clients;

/// <summary>
/// The real Codex CLI with <c>supports_websockets = true</c> on its MultiCodex provider: a session over the Edge's
/// Responses WebSocket to the fake backend's, with tool calls, an upstream socket rotated for its age, a quota hit in
/// the middle of a turn that the user never sees, the whole pool at its limit, and the transport turned off.
/// </summary>
public sealed class CodexCliOverWebSocketTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MultiTurnSession_WithToolCalls_SurvivesARotationAndAQuotaHit_Invisibly()
    {
        // Upstream sockets older than two seconds are replaced at the next response boundary: the slow first answer
        // below (about 3 s) makes that happen in the middle of the first turn; every other answer is quick.
        await using var proxy = await ProxyFixture.StartAsync(new() { ["RESPONSES_WEBSOCKET_MAX_AGE_SECONDS"] = "2" });
        proxy.Upstream.WebSocketsEnabled = true;
        var (first, firstId) = await proxy.AddAccountAsync("cli-a@example.com", priority: 0);
        await proxy.AddAccountAsync("cli-b@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.FunctionCall("exec_command", """{"cmd":"ls"}""", "call_1").WithEventDelay(TimeSpan.FromMilliseconds(400)));
        first.EnqueueBehavior(ResponseBehavior.FunctionCall("exec_command", """{"cmd":"pwd"}""", "call_2"));
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        using var sandbox = await SandboxAsync(proxy, webSockets: true);
        var key = await KeyAsync(proxy);

        var turn1 = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, "Look around", Env(key));
        var turn2 = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, "And now?", Env(key), ["resume", "--last"]);
        Report(proxy, turn1, turn2);

        Assert.True(turn1.ExitCode == 0, turn1.ToString());
        Assert.True(turn2.ExitCode == 0, turn2.ToString());
        Assert.Contains("Hello from cli-b@example.com", turn1.StdOut);
        Assert.Contains("Hello from cli-b@example.com: And now?", turn2.StdOut);
        Assert.DoesNotContain("usage limit", turn1.StdOut + turn1.StdErr + turn2.StdOut + turn2.StdErr, StringComparison.OrdinalIgnoreCase);
        // Nothing went over HTTP: every request of both processes was a WebSocket frame.
        Assert.Empty(proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "POST"));
        var frames = proxy.Upstream.WebSocketFrames.All().Where(f => f.Type == "response.create").ToList();
        // The first request continued the warmup on its socket, and a tool output went as a continuation too …
        Assert.Equal(frames[0].ResponseId, frames[1].PreviousResponseId);
        Assert.Equal(frames[0].ConnectionId, frames[1].ConnectionId);
        Assert.Contains(frames, f => f.PreviousResponseId is not null && f.Account.Email == "cli-a@example.com" && HasToolOutput(f, "call_2"));
        // … and as a full request on a fresh socket when the first one had aged past its limit (call_1's output).
        Assert.Contains(frames, f => f.PreviousResponseId is null && f.Account.Email == "cli-a@example.com" && HasToolOutput(f, "call_1") && !HasToolOutput(f, "call_2"));
        // The quota hit on the first account moved the turn to the second one, rebuilt in full.
        Assert.Contains(frames, f => f.Account.Email == "cli-a@example.com" && f.Outcome == "error 429");
        Assert.Contains(frames, f => f.Account.Email == "cli-b@example.com" && f.PreviousResponseId is null && HasToolOutput(f, "call_2") && f.Outcome == "response.completed");
        Assert.Contains("multicodex_edge_upstream_websockets_opened_total{reason=\"rotated\"}", await proxy.Stack.Admin.GetStringAsync("/metrics"));
        await proxy.Stack.Edge.FlushReportsAsync();
        Assert.Equal("STATE_BLOCKED", (string?)(await proxy.AccountAsync(firstId))["state"]);
    }

    [Fact]
    public async Task TransportTurnedOff_TheCliFallsBackToHttpAtOnce()
    {
        await using var proxy = await ProxyFixture.StartAsync(new() { ["RESPONSES_WEBSOCKETS"] = "off" });
        proxy.Upstream.WebSocketsEnabled = true;
        await proxy.AddAccountAsync("cli-http@example.com");
        using var sandbox = await SandboxAsync(proxy, webSockets: true);

        var result = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, "Over HTTP", Env(await KeyAsync(proxy)));
        Report(proxy, result);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Hello from cli-http@example.com: Over HTTP", result.StdOut);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), $"The fallback took {result.Elapsed}."); // refusals other than 426 cost 7 retries
        Assert.Equal(0, proxy.Upstream.WebSocketConnectionCount);
        Assert.NotEmpty(proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "POST"));
    }

    [Fact]
    public async Task WholePoolAtItsLimit_TheCliShowsItsUsageLimitMessage_WithTheResetTime()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        var (only, _) = await proxy.AddAccountAsync("cli-spent@example.com");
        only.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(2)));
        using var sandbox = await SandboxAsync(proxy, webSockets: true);

        var result = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, "Anything left?", Env(await KeyAsync(proxy)));
        Report(proxy, result);
        await proxy.Stack.Edge.FlushReportsAsync();
        var requests = (await proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/requests?transport=websocket"))!["requests"]!.AsArray();

        // The CLI's own usage-limit message, with the time the pool frees up (it reads error.type and resets_at), and
        // no plan-specific advice (no plan type is sent for a pool) …
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("hit your usage limit. Try again at", result.StdOut + result.StdErr);
        Assert.DoesNotContain("Upgrade", result.StdOut + result.StdErr);
        // … and no retry of the turn: the warmup and the one request, nothing after the 429.
        Assert.Equal([200, 429], requests.Select(r => (int)r!["statusCode"]!).Order());
    }

    private static bool HasToolOutput(RecordedFrame frame, string callId) =>
        frame.Json!.Value.GetProperty("input").EnumerateArray().Any(i =>
            i.TryGetProperty("type", out var t) && t.GetString() == "function_call_output" && i.GetProperty("call_id").GetString() == callId);

    private static Dictionary<string, string?> Env(string key) => new() { ["MULTICODEX_API_KEY"] = key };

    private static async Task<string> KeyAsync(ProxyFixture proxy)
    {
        return await proxy.CreateKeyAsync("cli-ws");
    }

    // The custom-provider setup README documents, with the WebSocket transport on.
    private static async Task<CodexSandbox> SandboxAsync(ProxyFixture proxy, bool webSockets)
    {
        var sandbox = CodexCli.NewSandbox();
        await File.WriteAllTextAsync(Path.Combine(sandbox.CodexHome, "config.toml"), $"""
            model = "gpt-5.5"
            model_provider = "multicodex"
            check_for_update_on_startup = false

            [model_providers.multicodex]
            name = "MultiCodex"
            base_url = "{proxy.V1.ToString().TrimEnd('/')}"
            wire_api = "responses"
            env_key = "MULTICODEX_API_KEY"
            supports_websockets = {(webSockets ? "true" : "false")}

            [features]
            plugins = false
            apps = false
            remote_plugin = false
            """);
        return sandbox;
    }

    private void Report(ProxyFixture proxy, params CliResult[] results)
    {
        foreach (var result in results)
        {
            output.WriteLine(result.ToString());
        }
        foreach (var frame in proxy.Upstream.WebSocketFrames.All())
        {
            output.WriteLine($"{frame} {frame.Account.Email} prev={frame.PreviousResponseId} id={frame.ResponseId}");
        }
    }
}
