using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Edge.Pool;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// Running like a service: SIGTERM drains streams in flight; several Edges share one Control consistently (a block or a
/// conversation's binding made on one reaches the others within a second), and a conversation's turns never move.
/// </summary>
public sealed class ShutdownAndScaleOutTests
{
    [Fact]
    public async Task Sigterm_LetsTheStreamInFlightFinish_ThenTheEdgeExits()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        var (sim, _) = await proxy.AddAccountAsync("drain@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(150)));
        await using var edge = await AppProcess.StartAsync("MultiCodex.Edge", new()
        {
            ["PORT"] = "0",
            ["CONTROL_URL"] = proxy.Stack.Control.Url.ToString(),
            ["DASHBOARD_URL"] = "http://127.0.0.1:9",
            ["CHATGPT_BASE_URL"] = proxy.Upstream.BackendBaseUrl,
            ["ADMIN_TOKEN"] = Stack.AdminToken,
            ["SHUTDOWN_DRAIN_SECONDS"] = "30",
        });
        using var client = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("{\"model\":\"gpt-5.5\",\"stream\":true,\"input\":\"one two three four five six seven eight\"}", Encoding.UTF8, "application/json"),
        };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
        {
            if (line.StartsWith("event: "))
            {
                events.Add(line[7..]);
                if (line == "event: response.output_text.delta" && events.Count(e => e == "response.output_text.delta") == 1)
                {
                    // Output is flowing: now the Edge is asked to stop.
                    edge.Terminate();
                }
            }
        }
        var exitCode = await edge.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("response.output_text.delta", events);
        Assert.Equal("response.completed", events[^1]);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task TwoEdges_ShareOneControl_ABlockSeenByOneTakesEffectOnTheOtherWithinASecond()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        await using var secondEdge = await EdgeHost.StartAsync(proxy.Stack.Control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = proxy.Upstream.BackendBaseUrl });
        var (a, aId) = await proxy.AddAccountAsync("shared-a@example.com", priority: 0);
        var (b, _) = await proxy.AddAccountAsync("shared-b@example.com", priority: 1);
        await secondEdge.SyncPoolAsync();
        a.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        // Edge 2 meets the quota error, blocks a at once and rotates; Edge 1 learns of the block through Control.
        var viaSecond = await secondEdge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "via edge 2" });
        var seenAt = Stopwatch.GetTimestamp();
        var firstView = proxy.Stack.Edge.Services.GetRequiredService<PoolView>();
        using var withinASecond = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        while (firstView.Accounts().Single(x => x.Id == aId).Blocks.Count == 0)
        {
            await firstView.NextChange.WaitAsync(withinASecond.Token);
        }
        var propagation = Stopwatch.GetElapsedTime(seenAt);
        var viaFirst = await proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "via edge 1" });

        Assert.Contains("shared-b@example.com", await viaSecond.Content.ReadAsStringAsync());
        Assert.True(propagation < TimeSpan.FromSeconds(1), $"The block took {propagation.TotalMilliseconds:F0} ms to reach the other Edge.");
        Assert.Contains("shared-b@example.com", await viaFirst.Content.ReadAsStringAsync());
        Assert.Equal(1, a.ResponsesRequestCount);
        Assert.Equal("STATE_BLOCKED", (string?)(await proxy.AccountAsync(aId))["state"]);

        // Both Edges under load at once: every request served, and no lease stays in flight on either.
        var edges = new[] { proxy.Client, secondEdge.Http };
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            edges[i % 2].PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = $"load {i}" })));
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.Equal(1, a.ResponsesRequestCount);
        Assert.Equal(26, b.CompletedResponseCount);
        // Each lease ends just after its client has the answer.
        var secondView = secondEdge.Services.GetRequiredService<PoolView>();
        await firstView.WaitUntilNoLeaseInFlightAsync();
        await secondView.WaitUntilNoLeaseInFlightAsync();
        Assert.Equal(0, firstView.InFlight());
        Assert.Equal(0, secondView.InFlight());
    }

    [Fact]
    public async Task TwoEdges_AConversationStaysOnItsAccountAcrossEdges()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        await using var secondEdge = await EdgeHost.StartAsync(proxy.Stack.Control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = proxy.Upstream.BackendBaseUrl });
        var (a, _) = await proxy.AddAccountAsync("conv-a@example.com", priority: 0);
        await proxy.AddAccountAsync("conv-b@example.com", priority: 1);
        await secondEdge.SyncPoolAsync();

        // Turn 1 on Edge 1: the conversation is bound when it is leased, and Edge 2 hears of it within a second.
        var turnOne = await AskAsync(proxy.Client, "conv-1");
        var secondView = secondEdge.Services.GetRequiredService<PoolView>();
        using (var withinASecond = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            while (secondView.BoundAccount("conv-1") is null)
            {
                await secondView.NextChange.WaitAsync(withinASecond.Token);
            }
        }
        // Now the rules prefer b (a is half used, b untouched): a new conversation on Edge 2 goes there.
        a.SetPrimaryUsage(50);
        a.SetSecondaryUsage(50);
        (await proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await secondEdge.SyncPoolAsync();
        var newConversation = await AskAsync(secondEdge.Http, "conv-2");
        // Turn 2 of the first conversation on Edge 2 stays where the conversation began.
        var turnTwo = await AskAsync(secondEdge.Http, "conv-1");

        Assert.Equal("conv-a@example.com", turnOne);
        Assert.Equal("conv-b@example.com", newConversation);
        Assert.Equal("conv-a@example.com", turnTwo);
    }

    [Fact]
    public async Task BackToBackTurns_NeverMove_EvenWhenTheFirstTurnMakesAnotherAccountRankBetter()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        var (x, _) = await proxy.AddAccountAsync("turn-x@example.com", priority: 0);
        await proxy.AddAccountAsync("turn-y@example.com", priority: 1);
        (await proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await proxy.Stack.Edge.SyncPoolAsync();
        // Turn 1's answer reports x heavily used: from then on the rules prefer y, the untouched one.
        x.SetPrimaryUsage(90);
        x.SetSecondaryUsage(90);

        var turnOne = await AskAsync(proxy.Client, "agent-loop");
        var turnTwo = await AskAsync(proxy.Client, "agent-loop");
        var anotherConversation = await AskAsync(proxy.Client, "someone-else");

        Assert.Equal("turn-x@example.com", turnOne);
        Assert.Equal("turn-x@example.com", turnTwo);
        Assert.Equal("turn-y@example.com", anotherConversation);
    }

    // The email of the account that served the turn (x-multicodex-account).
    private static async Task<string> AskAsync(HttpClient edge, string conversation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = JsonContent.Create(new { model = "gpt-5.5", input = "next turn", prompt_cache_key = conversation }),
        };
        request.Headers.Add("x-multicodex-explain", "1");
        using var response = await edge.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("x-multicodex-account").Single();
    }
}
