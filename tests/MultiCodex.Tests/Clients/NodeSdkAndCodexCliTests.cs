using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Testing;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Clients;

/// <summary>Clients nobody here wrote: the official <c>openai</c> npm SDK and the Codex CLI, both through the Edge.</summary>
public sealed class NodeSdkAndCodexCliTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _key = await _proxy.CreateKeyAsync("clients");
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task OpenAiNpmSdk_ChatAndResponses_StreamingAndNot()
    {
        await _proxy.AddAccountAsync("node@example.com");

        var output = await RunNodeAsync("openai-sdk-check.mjs");
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;

        Assert.Equal("Hello from node@example.com: chat from node", (string?)result["chat"]);
        Assert.Equal("stop", (string?)result["chatFinish"]);
        Assert.Equal("Hello from node@example.com: stream from node", (string?)result["chatStream"]);
        Assert.True((int?)result["chatStreamUsage"] > 0);
        Assert.Equal("Hello from node@example.com: responses from node", (string?)result["responses"]);
        Assert.Equal("Hello from node@example.com: responses stream from node", (string?)result["responsesStream"]);
        Assert.True((bool?)result["responsesStreamCompleted"]);
        Assert.Contains("gpt-5.5", result["models"]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task CodexCli_WithMultiCodexAsItsProvider_CompletesATurn_AndNeverSeesTheQuotaError()
    {
        var (first, firstId) = await _proxy.AddAccountAsync("cli-a@example.com", priority: 0);
        await _proxy.AddAccountAsync("cli-b@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        using var sandbox = CodexCli.NewSandbox();
        // The custom-provider setup README documents for Codex CLI users.
        await File.WriteAllTextAsync(Path.Combine(sandbox.CodexHome, "config.toml"), $"""
            model = "gpt-5.5"
            model_provider = "multicodex"
            check_for_update_on_startup = false

            [model_providers.multicodex]
            name = "MultiCodex"
            base_url = "{_proxy.V1.ToString().TrimEnd('/')}"
            wire_api = "responses"
            env_key = "MULTICODEX_API_KEY"
            """);

        var result = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, "Say hello", new Dictionary<string, string?> { ["MULTICODEX_API_KEY"] = _key });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Hello from cli-b@example.com", result.StdOut);
        Assert.DoesNotContain("usage limit", result.StdOut + result.StdErr, StringComparison.OrdinalIgnoreCase);
        await _proxy.Stack.Edge.FlushReportsAsync();
        Assert.Equal("STATE_BLOCKED", (string?)(await _proxy.AccountAsync(firstId))["state"]);
        // The CLI's own request shape reached the upstream intact: its session header and prompt_cache_key.
        var sent = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Last();
        Assert.NotNull(sent.Header("session-id"));
        Assert.Equal(sent.Header("session-id"), (string?)JsonNode.Parse(sent.BodyText!)!["prompt_cache_key"]);
    }

    private async Task<string> RunNodeAsync(string script)
    {
        var clients = Path.Combine(CodexCli.RepoRoot(), "tests", "clients");
        Assert.True(Directory.Exists(Path.Combine(clients, "node_modules", "openai")), "Run `npm ci --prefix tests/clients` first.");
        var start = new ProcessStartInfo("node", [Path.Combine(clients, script)])
        {
            WorkingDirectory = clients,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OPENAI_BASE_URL"] = _proxy.V1.ToString().TrimEnd('/'), ["OPENAI_API_KEY"] = _key },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"node {script} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
