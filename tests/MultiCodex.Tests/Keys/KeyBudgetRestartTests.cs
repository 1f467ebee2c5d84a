using System.Net;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using static MultiCodex.Tests.Keys.KeyRequests;

namespace MultiCodex.Tests.Keys;

/// <summary>
/// Control keeps the budget counts in memory: after a restart it rebuilds them from the request history, and the
/// Edge, which stopped counting the requests Control had acknowledged, gets them back with the new Control's view —
/// a spent budget stays spent. Real clock: the test takes seconds, far from a window's end unless it runs at midnight UTC.
/// </summary>
public sealed class KeyBudgetRestartTests
{
    [Fact]
    public async Task ASpentBudget_StaysSpent_AcrossARestartOfControl()
    {
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        // The same port for both Controls, so the Edge reconnects; a stop cuts the Edge's open stream after 1 s instead
        // of waiting the host's default 30 s for it.
        var settings = Stack.UpstreamSettings(upstream, new()
        {
            ["CONTROL_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["shutdownTimeoutSeconds"] = "1",
        });
        var control = await ControlHost.StartAsync(data.Path, Stack.AdminToken, settings);
        await using var edge = await EdgeHost.StartAsync(control.Url, Stack.AdminToken, settings: Stack.UpstreamSettings(upstream));
        using var admin = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        (await admin.PostAsync("/admin/accounts", JsonContent(new JsonObject { ["authJson"] = upstream.AddAccount("restart@example.com").AuthJson() })))
            .EnsureSuccessStatusCode();
        var (id, secret) = await CreateKeyAsync(admin, "nightly", new { requestsPerDay = 2 });
        await edge.SyncPoolAsync();

        var before = new[] { (await RespondAsync(edge.Http, secret)).StatusCode, (await RespondAsync(edge.Http, secret)).StatusCode };
        await edge.FlushReportsAsync();
        await control.DisposeAsync();
        await using var restarted = await ControlHost.StartAsync(data.Path, Stack.AdminToken, settings);
        await edge.SyncPoolAsync();
        var after = await RespondAsync(edge.Http, secret);
        var listed = JsonNode.Parse(await admin.GetStringAsync($"/admin/api-keys/{id}"))!["apiKey"]!["budgets"]![0]!;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], before);
        Assert.Equal((HttpStatusCode.TooManyRequests, "key_budget_exceeded"), ((await ErrorOf(after)).Status, (await ErrorOf(after)).Code));
        Assert.Equal("2", (string?)listed["used"]);
    }

    private static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
