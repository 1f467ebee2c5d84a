using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Keys;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// Control restarts are invisible to clients: with Control killed (SIGKILL) under load, an Edge that has a view keeps
/// serving, fails over on a quota error, says "degraded" on /readyz, queues what it learns, and delivers it when
/// Control is back, which then holds a consistent state (the request log, the block made while it was away).
/// </summary>
public sealed class ControlRestartTests
{
    /// <summary>How long Control stays down while the load goes on.</summary>
    private static readonly TimeSpan ControlAwayFor = TimeSpan.FromSeconds(10);

    /// <summary>Between two requests of one client: a steady load whose requests of one phase fit one page of the log (500).</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(60);

    [Fact]
    public async Task SigkillControl_UnderLoad_NoClientRequestFails_AndEverythingLearnedMeanwhileReachesTheRestartedControl()
    {
        await using var upstream = await FakeChatGpt.StartAsync();
        // The load must not use up the fake accounts' windows: the one quota error is the scripted one.
        upstream.Options.PrimaryPercentPerResponse = 0;
        upstream.Options.SecondaryPercentPerResponse = 0;
        using var data = new TempDirectory();
        var port = FreePort.Next();
        var control = await AppProcess.StartControlAsync(upstream, data.Path, port);
        await using var edge = await EdgeHost.StartAsync(control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl });
        using var admin = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var a = upstream.AddAccount("away-a@example.com");
        var b = upstream.AddAccount("away-b@example.com");
        var aId = await AppProcess.AddAccountAsync(admin, a, priority: 0);
        await AppProcess.AddAccountAsync(admin, b, priority: 1);
        // One client key per phase: what the request log holds afterwards can be told apart by phase.
        var keys = new Dictionary<string, string>
        {
            ["before"] = (await KeyRequests.CreateKeyAsync(admin, "load-before")).Secret,
            ["away"] = (await KeyRequests.CreateKeyAsync(admin, "load-away")).Secret,
            ["after"] = (await KeyRequests.CreateKeyAsync(admin, "load-after")).Secret,
        };
        await edge.SyncPoolAsync();

        var phase = "before";
        var results = new ConcurrentQueue<(string Phase, HttpStatusCode Status, string Body)>();
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(60) };
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                var sentIn = Volatile.Read(ref phase);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
                {
                    Content = JsonContent.Create(new { model = "gpt-5.5", input = $"client {client} request {i}" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys[sentIn]);
                using var response = await http.SendAsync(request);
                results.Enqueue((sentIn, response.StatusCode, await response.Content.ReadAsStringAsync()));
                await Task.Delay(Pace);
            }
        })).ToList();
        await WaitForAsync(() => results.Count(r => r.Phase == "before") >= 10);

        await control.KillAsync();
        Volatile.Write(ref phase, "away");
        var degraded = await WaitForReadyzAsync(edge, "degraded");
        // A quota error while Control is away: the Edge blocks a on its own and the client never sees it.
        a.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        await WaitForAsync(() => a.PendingBehaviorCount == 0 && results.Any(r => r.Phase == "away" && r.Body.Contains("away-b@example.com")));
        await Task.Delay(ControlAwayFor);

        Volatile.Write(ref phase, "after");
        await using var restarted = await AppProcess.StartControlAsync(upstream, data.Path, port);
        var ready = await WaitForReadyzAsync(edge, "ready");
        await WaitForAsync(() => results.Count(r => r.Phase == "after") >= 5);
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        await edge.FlushReportsAsync();

        var failed = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} client requests failed, the first: {failed.FirstOrDefault()}");
        Assert.StartsWith("degraded: Control unreachable", degraded);
        Assert.Equal("ready\n", ready);
        // Everything learned while Control was away reached the restarted Control: every attempt of that phase is
        // in its request log (the quota error on a included), and the block is on disk.
        var away = (await admin.GetFromJsonAsync<JsonObject>("/admin/requests?pageSize=500&clientName=load-away"))!["requests"]!.AsArray();
        Assert.Equal(results.Count(r => r.Phase == "away"), away.Count(r => (int?)r!["statusCode"] == 200));
        // The quota error is an attempt of the one request that failed over from a.
        Assert.Single(away, r => r!["attempts"]!.AsArray().Any(at => (int?)at!["statusCode"] == 429 && (string?)at["accountId"] == aId));
        var account = (await admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{aId}"))!["account"]!;
        Assert.Equal("STATE_BLOCKED", (string?)account["state"]);
        var onDisk = JsonNode.Parse(await File.ReadAllTextAsync(data.File("accounts.json")))!["accounts"]!.AsArray()
            .Single(x => (string?)x!["id"] == aId)!;
        Assert.NotEmpty(onDisk["blocks"]!.AsArray());
        // And requests after the return keep going to b, whose block a still is not lifted.
        Assert.All(results.Where(r => r.Phase == "after"), r => Assert.Contains("away-b@example.com", r.Body));
    }

    [Fact]
    public async Task ReportQueue_WhenFull_DropsTheOldestAndCountsThem_AndDeliversTheRestWhenControlIsBack()
    {
        await using var upstream = await FakeChatGpt.StartAsync();
        upstream.Options.PrimaryPercentPerResponse = 0;
        using var data = new TempDirectory();
        var controlSettings = Stack.UpstreamSettings(upstream, new() { ["CONTROL_URL"] = $"http://127.0.0.1:{FreePort.Next()}" });
        var control = await ControlHost.StartAsync(data.Path, Stack.AdminToken, controlSettings);
        await using var edge = await EdgeHost.StartAsync(control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl, ["REPORT_QUEUE_CAPACITY"] = "100" });
        var sim = upstream.AddAccount("full@example.com");
        using (var admin = new HttpClient { BaseAddress = edge.Url })
        {
            admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
            await AppProcess.AddAccountAsync(admin, sim, priority: 0);
        }
        await edge.SyncPoolAsync();
        await control.DisposeAsync();
        await WaitForReadyzAsync(edge, "degraded");

        // 80 requests of one conversation while Control is away: 161 reports (its binding, then an attempt and an
        // answer each) for a queue of 100.
        for (var i = 0; i < 80; i++)
        {
            var response = await edge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = $"queued {i}", prompt_cache_key = "one-conversation" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var queue = edge.Services.GetRequiredService<MultiCodex.Edge.Pool.ReportQueue>();
        var (queued, dropped) = (queue.Count, queue.Dropped);
        await using var restarted = await ControlHost.StartAsync(data.Path, Stack.AdminToken, controlSettings);
        await edge.FlushReportsAsync();
        using var restartedAdmin = new HttpClient { BaseAddress = edge.Url };
        restartedAdmin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var log = (await restartedAdmin.GetFromJsonAsync<JsonObject>("/admin/requests?pageSize=500"))!["requests"]!.AsArray();

        Assert.Equal((100, 61L), (queued, dropped));
        // The newest 100 reports survived: the last 50 requests (an attempt and an answer each), one entry each in the log.
        Assert.Equal(50, log.Count);
        Assert.Contains("multicodex_edge_pool_reports_dropped_total", await restartedAdmin.GetStringAsync("/metrics"));
    }

    /// <summary>Polls /readyz until its body starts with <paramref name="state"/> (the Edge notices a lost or regained stream on its own schedule).</summary>
    private static async Task<string> WaitForReadyzAsync(EdgeHost edge, string state)
    {
        string body = "";
        await WaitForAsync(async () => (body = await edge.Http.GetStringAsync("/readyz")).StartsWith(state, StringComparison.Ordinal));
        return body;
    }

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
