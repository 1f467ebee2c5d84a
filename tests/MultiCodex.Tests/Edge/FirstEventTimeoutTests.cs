using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>
/// An upstream that sends its response headers and then nothing is given up on after FIRST_EVENT_TIMEOUT_SECONDS and
/// retried (never a quota block), at most twice per client request, so the client hears an answer or a 504 well inside
/// the OpenAI SDKs' own timeouts. Black-box, on the real Edge and a stalling upstream, with a 1 s timeout.
/// </summary>
public sealed class FirstEventTimeoutTests
{
    private static readonly Dictionary<string, string?> OneSecond = new() { ["FIRST_EVENT_TIMEOUT_SECONDS"] = "1" };

    [Fact]
    public async Task SilentAfterHeaders_IsRetried_AndTheClientGetsTheAnswer()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        await using var stalling = await StallingUpstream.StartAsync(proxy.Upstream.BackendBaseUrl, stalls: 1);
        await using var edge = await EdgeHost.StartAsync(proxy.Stack.Control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?>(OneSecond) { ["CHATGPT_BASE_URL"] = stalling.BackendBaseUrl });
        var (sim, id) = await proxy.AddAccountAsync("slow-start@example.com");
        await edge.SyncPoolAsync(); // this Edge, not only the fixture's, knows the account

        var clock = Stopwatch.StartNew();
        var response = await edge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "hello" });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello from slow-start@example.com: hello", (string?)body["output_text"]);
        Assert.Equal(1, stalling.Stalled);
        Assert.Equal(1, sim.ResponsesRequestCount);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        Assert.Equal("STATE_ACTIVE", (string?)(await proxy.AccountAsync(id))["state"]);
    }

    [Fact]
    public async Task AlwaysSilent_Is504_AfterTwoTimeouts_AndBlocksNothing()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        await using var stalling = await StallingUpstream.StartAsync(proxy.Upstream.BackendBaseUrl, stalls: int.MaxValue);
        await using var edge = await EdgeHost.StartAsync(proxy.Stack.Control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?>(OneSecond) { ["CHATGPT_BASE_URL"] = stalling.BackendBaseUrl });
        var (_, first) = await proxy.AddAccountAsync("mute-1@example.com");
        var (_, second) = await proxy.AddAccountAsync("mute-2@example.com");
        await edge.SyncPoolAsync();

        var clock = Stopwatch.StartNew();
        var response = await edge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "anyone?", stream = true });
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_first_event_timeout", (string?)error["code"]);
        Assert.Equal(2, stalling.Stalled);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Equal("STATE_ACTIVE", (string?)(await proxy.AccountAsync(first))["state"]);
        Assert.Equal("STATE_ACTIVE", (string?)(await proxy.AccountAsync(second))["state"]);
    }
}
