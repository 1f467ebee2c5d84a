using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>Usage probing of wham/usage: on demand, on schedule (fake clock), windows by length, errors that never disable.</summary>
public sealed class UsageProbeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(new() { ["USAGE_REFRESH_SECONDS"] = "300" }, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task RefreshAccountUsage_StoresBothWindowsByLength()
    {
        var (sim, id) = await ImportAsync("probe@example.com");
        sim.SetPrimaryUsage(37, _time.GetUtcNow().AddHours(3));
        sim.SetSecondaryUsage(12, _time.GetUtcNow().AddDays(4));

        var account = (await PostJson($"/admin/accounts/{id}/refresh-usage"))["account"]!;

        Assert.Equal(37, (double?)account["usage"]!["fiveHour"]!["usedPercent"]);
        Assert.Equal("18000s", (string?)account["usage"]!["fiveHour"]!["length"]);
        Assert.Equal(12, (double?)account["usage"]!["weekly"]!["usedPercent"]);
        Assert.Equal("604800s", (string?)account["usage"]!["weekly"]!["length"]);
    }

    [Fact]
    public async Task WeeklyOnlyPlan_PutsItsPrimaryWindowInTheWeeklySlot()
    {
        var (sim, id) = await ImportAsync("free@example.com", plan: "free");
        sim.WeeklyOnlyPrimary = true;
        sim.SetPrimaryUsage(55, _time.GetUtcNow().AddDays(2));

        var account = (await PostJson($"/admin/accounts/{id}/refresh-usage"))["account"]!;

        Assert.Null(account["usage"]!["fiveHour"]);
        Assert.Equal(55, (double?)account["usage"]!["weekly"]!["usedPercent"]);
    }

    [Fact]
    public async Task RefreshUsage_ProbesEveryAccount()
    {
        var (a, _) = await ImportAsync("all-a@example.com");
        var (b, _) = await ImportAsync("all-b@example.com");

        var results = (await PostJson("/admin/usage/refresh"))["results"]!.AsArray();

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal("", (string?)r!["error"] ?? ""));
        // At least this call's probe (a new account is also probed by itself right after it is added).
        Assert.InRange(a.UsageRequestCount, 1, 2);
        Assert.InRange(b.UsageRequestCount, 1, 2);
    }

    [Fact]
    public async Task Unauthorized_GoesThroughTheRefreshOnce_ThenSucceeds()
    {
        var (sim, id) = await ImportAsync("expired@example.com");
        sim.ExpireAccessTokens();

        var account = (await PostJson($"/admin/accounts/{id}/refresh-usage"))["account"]!;

        Assert.Equal(1, sim.RefreshGrantCount);
        Assert.Equal("", (string?)account["usage"]!["probeError"] ?? "");
        Assert.Equal("STATE_ACTIVE", (string?)account["state"]);
    }

    [Fact]
    public async Task AmbiguousFailure_RecordsTheErrorButNeverDisables()
    {
        // A Control whose usage endpoint cannot be reached at all (the default test upstream is a closed port).
        await using var unreachable = await Stack.StartAsync();
        var id = (string)(await unreachable.AddAccountAsync(TestTokens.For("flaky@example.com")))["id"]!;

        var response = await unreachable.Admin.PostAsync($"/admin/accounts/{id}/refresh-usage", null);
        var account = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["account"]!;

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("STATE_ACTIVE", (string?)account["state"]);
        Assert.True((bool?)account["enabled"]);
        Assert.Contains("unreachable", (string?)account["usage"]!["probeError"]);
    }

    [Fact]
    public async Task NewAccount_IsProbedRightAway_WithoutWaitingForTheInterval()
    {
        var probed = _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));

        var (sim, _) = await ImportAsync("fresh@example.com");
        var probe = await probed;

        Assert.Equal(sim.ChatGptAccountId, probe.Header("chatgpt-account-id"));
    }

    [Fact]
    public async Task Worker_ProbesEveryAccountOnItsInterval()
    {
        var (sim, _) = await ImportAsync("sched@example.com");
        // The first probe of a new account comes at once; the one this test waits for is the scheduled one.
        await _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        _proxy.Upstream.Requests.Clear();

        // Interval 300 s with up to 10 % jitter: within 331 s of fake time after the worker armed its wait, one more round
        // has run. Under load the worker may arm that wait only after some of these steps, so keep stepping a while.
        var probed = _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        for (var i = 0; i < 40 && !probed.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(probed, Task.Delay(TimeSpan.FromMilliseconds(200)));
        }
        var probe = await probed;

        Assert.Equal(sim.ChatGptAccountId, probe.Header("chatgpt-account-id"));
    }

    private async Task<(SimAccount Sim, string Id)> ImportAsync(string email, string plan = "plus")
    {
        var sim = _proxy.Upstream.AddAccount(email, plan);
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = sim.AuthJson() });
        response.EnsureSuccessStatusCode();
        return (sim, (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!);
    }

    private async Task<JsonObject> PostJson(string path)
    {
        var response = await _proxy.Stack.Admin.PostAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
