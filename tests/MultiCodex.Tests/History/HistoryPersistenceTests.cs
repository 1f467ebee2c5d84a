using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Control.History;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Leases;
using static MultiCodex.Tests.History.HistoryApi;

namespace MultiCodex.Tests.History;

/// <summary>The history survives a Control restart (a real process, killed), is kept private, and is pruned after its retention.</summary>
public sealed class HistoryPersistenceTests
{
    [Fact]
    public async Task History_SurvivesAControlKill_AndRestart()
    {
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        var port = FreePort.Next();
        var control = await AppProcess.StartControlAsync(upstream, data.Path, port);
        await using var edge = await EdgeHost.StartAsync(control.Url, Stack.AdminToken,
            settings: new Dictionary<string, string?> { ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl });
        using var admin = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var alice = upstream.AddAccount("restart-alice@example.com");
        var erin = upstream.AddAccount("restart-erin@example.com");
        var aliceId = await AppProcess.AddAccountAsync(admin, alice, 0);
        var erinId = await AppProcess.AddAccountAsync(admin, erin, 1);
        await edge.SyncPoolAsync();
        alice.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        var response = await edge.Http.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "before the restart" });
        await edge.FlushReportsAsync();
        var before = await RequestsAsync(admin);
        var samplesBefore = (await admin.GetFromJsonAsync<JsonObject>($"/admin/usage/history?accountId={erinId}"))!["samples"]!.AsArray();

        // SIGKILL: nothing of Control's shutdown runs; what it acknowledged must be on disk already.
        await control.KillAsync();
        await control.DisposeAsync();
        await using var restarted = await AppProcess.StartControlAsync(upstream, data.Path, port);
        var after = await RequestsAsync(admin);
        var samplesAfter = (await admin.GetFromJsonAsync<JsonObject>($"/admin/usage/history?accountId={erinId}"))!["samples"]!.AsArray();
        var overview = await OverviewAsync(admin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        var request = Assert.Single(after)!;
        Assert.Equal([aliceId, erinId], request["attempts"]!.AsArray().Select(a => (string?)a!["accountId"]));
        Assert.NotEmpty(samplesBefore);
        Assert.Equal(samplesBefore.ToJsonString(), samplesAfter.ToJsonString());
        Assert.Equal(1, Long(overview["total"]!["requests"]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.File("history.db")));
        }
    }

    [Fact]
    public async Task Retention_PrunesRowsOlderThanItsDays()
    {
        var clock = new TimerAwareClock(DateTimeOffset.UtcNow);
        using var data = new TempDirectory();
        await using var control = await ControlHost.StartAsync(data.Path, Stack.AdminToken,
            new Dictionary<string, string?> { ["HISTORY_RETENTION_DAYS"] = "1" }, clock);
        using var admin = new HttpClient { BaseAddress = control.Url };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var response = await admin.PostAsJsonAsync("/admin/accounts", new { tokens = Tokens(TestTokens.For("retention@example.com")) });
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
        var edge = new PoolClient(control.Channel);
        // The pruner's hourly timer: armed on the hosted service's own thread, maybe after the host has started.
        await clock.WaitForTimerAsync(HistoryPruner.Interval, armedBy: typeof(HistoryPruner));

        await edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 200, clientName: "old",
            headers: PoolClient.Windows(clock.GetUtcNow(), 10, 5, weeklyResetHours: 100))));
        clock.Advance(TimeSpan.FromHours(20));
        await edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 200, clientName: "recent",
            headers: PoolClient.Windows(clock.GetUtcNow(), 20, 6, weeklyResetHours: 80))));
        var beforePruning = await RequestsAsync(admin);
        // A day after the first request: the next hourly pruning drops it, and the usage sample taken with it.
        clock.Advance(TimeSpan.FromHours(5));
        await WaitForAsync(async () => (await RequestsAsync(admin)).Count == 1, "the old request to be pruned");
        var afterPruning = await RequestsAsync(admin);
        var samples = (await admin.GetFromJsonAsync<JsonObject>($"/admin/usage/history?accountId={id}"))!["samples"]!.AsArray();

        Assert.Equal(["recent", "old"], beforePruning.Select(r => (string?)r!["clientName"]));
        Assert.Equal("recent", (string?)Assert.Single(afterPruning)!["clientName"]);
        Assert.Equal(20, (double?)Assert.Single(samples)!["fiveHourUsedPercent"]);
    }

    private static object Tokens(TestTokens.Set t) => new { accessToken = t.AccessToken, refreshToken = t.RefreshToken, idToken = t.IdToken };
}
