using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.Leases;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>Running like a service: SIGTERM drains streams in flight; several Edges share one Control consistently.</summary>
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
    public async Task TwoEdges_ShareOneControl_LeasesAndBlocksStayConsistent()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        await using var secondEdge = await EdgeHost.StartAsync(proxy.Stack.Control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = proxy.Upstream.BackendBaseUrl });
        var (a, aId) = await proxy.AddAccountAsync("shared-a@example.com", priority: 0);
        var (b, _) = await proxy.AddAccountAsync("shared-b@example.com", priority: 1);
        a.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        // Edge 2 meets the quota error and rotates; Control blocks a for every Edge.
        var viaSecond = await secondEdge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "via edge 2" });
        var viaFirst = await proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "via edge 1" });

        Assert.Contains("shared-b@example.com", await viaSecond.Content.ReadAsStringAsync());
        Assert.Contains("shared-b@example.com", await viaFirst.Content.ReadAsStringAsync());
        Assert.Equal(1, a.ResponsesRequestCount);
        Assert.Equal("STATE_BLOCKED", (string?)(await proxy.AccountAsync(aId))["state"]);

        // Both Edges under load at once: every request served, and Control's in-flight count returns to zero.
        var edges = new[] { proxy.Client, secondEdge.Http };
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            edges[i % 2].PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = $"load {i}" })));
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        var ledger = proxy.Stack.Control.Services.GetRequiredService<LeaseLedger>();
        for (var i = 0; i < 100 && ledger.TotalInFlight > 0; i++)
        {
            await Task.Delay(50); // outcome reports travel in the background after each response
        }
        Assert.Equal(0, ledger.TotalInFlight);
        Assert.Equal(1, a.ResponsesRequestCount);
        Assert.Equal(26, b.CompletedResponseCount);
    }
}
