using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Pool;
using MultiCodex.Simulator;
using MultiCodex.Testing;
using MultiCodex.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MultiCodex.Tests.Clients;

/// <summary>
/// The real Codex CLI 0.171 with MultiCodex as its custom provider, keeping up with the upstream: it compacts with
/// compaction V2 through the proxy and carries on, its back-to-back turns stay on one account, and it reads its model
/// catalog from MultiCodex (<c>model_catalog_url</c>).
/// </summary>
public sealed class CodexCliUpstreamTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private ProxyFixture _proxy = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _key = await _proxy.CreateKeyAsync("codex-cli");
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task TheCli_CompactsAutomaticallyWithCompactionV2_AndContinues_AllOnOneAccount()
    {
        var (first, _) = await _proxy.AddAccountAsync("cli-compact-a@example.com", priority: 0);
        await _proxy.AddAccountAsync("cli-compact-b@example.com", priority: 1);
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        // The first turn's answer reports its account heavily used: from then on only the session binding keeps the CLI there.
        first.SetPrimaryUsage(90);
        first.SetSecondaryUsage(90);
        using var sandbox = CodexCli.NewSandbox();
        await WriteConfigAsync(sandbox, "gpt-5.5", "model_auto_compact_token_limit = 2000",
            "capabilities = { remote_compaction = \"v2\" }");

        var turn1 = await RunAsync(sandbox, "First turn");
        var turn2 = await RunAsync(sandbox, "Second turn", ["resume", "--last"]);

        Assert.True(turn1.ExitCode == 0, turn1.ToString());
        Assert.True(turn2.ExitCode == 0, turn2.ToString());
        Assert.Contains("Hello from cli-compact-a@example.com: Second turn", turn2.StdOut);
        var posts = _proxy.Upstream.Requests.ForPath(ResponsesPath, "POST");
        Assert.Equal(3, posts.Count); // turn 1, the compaction, turn 2
        Assert.All(posts, p => Assert.Equal(200, p.StatusCode));
        Assert.All(posts, p => Assert.Equal("cli-compact-a@example.com", p.Account!.Email));
        var trigger = Items(posts[1]);
        Assert.Equal("compaction_trigger", Type(trigger[^1]));
        Assert.Single(trigger, i => Type(i) == "compaction_trigger");
        var next = Items(posts[2]);
        Assert.StartsWith("cmp_", Assert.Single(next, i => Type(i) == "compaction").GetProperty("id").GetString());
        Assert.DoesNotContain(next, i => Type(i) == "compaction_trigger");
        Assert.DoesNotContain(_proxy.Upstream.Requests.All(), r => r.Path.EndsWith("/compact", StringComparison.Ordinal));
        // One conversation, one key: the CLI's own session header and prompt_cache_key on every request.
        Assert.Single(posts.Select(p => p.Header("session-id")).Distinct());
        Assert.Single(posts.Select(p => p.Json!.Value.GetProperty("prompt_cache_key").GetString()).Distinct());
    }

    [Fact]
    public async Task TheCli_ReadsItsModelCatalogFromMultiCodex_AndUsesAModelListedOnlyThere()
    {
        await _proxy.AddAccountAsync("cli-catalog@example.com");
        using var sandbox = CodexCli.NewSandbox();
        // gpt-5.4-mini is not among the models the 0.171 binary bundles: the CLI knows it from the catalog only.
        await WriteConfigAsync(sandbox, "gpt-5.4-mini", "", $"model_catalog_url = \"{_proxy.V1}codex/models\"");

        var result = await RunAsync(sandbox, "Catalog turn");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Hello from cli-catalog@example.com: Catalog turn", result.StdOut);
        Assert.DoesNotContain("Model metadata for", result.StdOut + result.StdErr);
        // MultiCodex fetched the catalog upstream as the newest CLI, and the CLI used what the catalog says of the
        // model: the catalog's instructions are its first developer message.
        var catalog = _proxy.Upstream.Requests.ForPath("/backend-api/codex/models", "GET");
        Assert.Contains(catalog, r => r.QueryString.Contains("client_version=0.171.0", StringComparison.Ordinal));
        var turn = Assert.Single(_proxy.Upstream.Requests.ForPath(ResponsesPath, "POST"));
        Assert.Equal("gpt-5.4-mini", turn.Json!.Value.GetProperty("model").GetString());
        var opening = Items(turn)[0];
        Assert.Equal("developer", opening.GetProperty("role").GetString());
        Assert.StartsWith("You are Codex, a coding agent served by the MultiCodex simulator.", opening.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ThePersonaPresentedUpstream_IsThePinnedCli()
    {
        await _proxy.AddAccountAsync("persona@example.com");
        var start = new ProcessStartInfo(CodexCli.FindBinary(), ["--version"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var version = await process.StandardOutput.ReadToEndAsync().WaitAsync(CodexCli.Timeout);
        await process.WaitForExitAsync().WaitAsync(CodexCli.Timeout);
        var pinned = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CodexCli.RepoRoot(), "tests", "clients", "package.json")))!;

        using var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { Authorization = new("Bearer", _key) } };
        (await _proxy.Client.SendAsync(models)).EnsureSuccessStatusCode();

        Assert.Equal($"codex-cli {CodexPersona.Version}", version.Trim());
        Assert.Equal(CodexPersona.Version, (string?)pinned["dependencies"]!["@openai/codex"]);
        var catalog = Assert.Single(_proxy.Upstream.Requests.ForPath("/backend-api/codex/models", "GET"));
        Assert.Equal($"?client_version={CodexPersona.Version}", catalog.QueryString);
        Assert.Equal(CodexPersona.Version, catalog.Header("version"));
        Assert.Equal(CodexPersona.Originator, catalog.Header("originator"));
        Assert.StartsWith($"{CodexPersona.Originator}/{CodexPersona.Version}", catalog.Header("user-agent"));
    }

    private async Task<CliResult> RunAsync(CodexSandbox sandbox, string prompt, IReadOnlyList<string>? subcommand = null)
    {
        var result = await CodexCli.ExecAsync(CodexCli.FindBinary(), sandbox, prompt, new Dictionary<string, string?> { ["MULTICODEX_API_KEY"] = _key }, subcommand);
        output.WriteLine(result.ToString());
        return result;
    }

    // The custom-provider setup README documents, plus a test's own top-level settings and provider lines.
    private Task WriteConfigAsync(CodexSandbox sandbox, string model, string topLevel, string provider) =>
        File.WriteAllTextAsync(Path.Combine(sandbox.CodexHome, "config.toml"), $"""
            model = "{model}"
            model_provider = "multicodex"
            check_for_update_on_startup = false
            {topLevel}

            [model_providers.multicodex]
            name = "MultiCodex"
            base_url = "{_proxy.V1.ToString().TrimEnd('/')}"
            wire_api = "responses"
            env_key = "MULTICODEX_API_KEY"
            {provider}
            """);

    private static List<JsonElement> Items(RecordedRequest request) => [.. request.Json!.Value.GetProperty("input").EnumerateArray()];

    private static string? Type(JsonElement item) => item.TryGetProperty("type", out var t) ? t.GetString() : null;
}
