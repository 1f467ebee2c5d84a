using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Usage;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>Usage probing of wham/usage: on demand, on schedule (fake clock), windows by length, errors that never disable.</summary>
public sealed class UsageProbeTests : IAsyncLifetime
{
    private readonly TimerAwareClock _time = new(DateTimeOffset.UtcNow);
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
        // The worker's first round (no accounts yet) ends by arming its wait. Waiting for that wait first means the
        // new account below is probed by the next round, which then arms the wait this test advances past.
        var firstWait = await _time.WaitForTimerAsync(armedBy: typeof(UsageRefreshWorker));
        var (sim, _) = await ImportAsync("sched@example.com");
        // The first probe of a new account comes at once; the one this test waits for is the scheduled one.
        await _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        _proxy.Upstream.Requests.Clear();
        await _time.WaitForTimerAsync(armedBy: typeof(UsageRefreshWorker), after: firstWait);

        // Interval 300 s with up to 10 % jitter: 331 s of fake time after the worker armed its wait, one more round runs.
        var probed = _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(331));
        var probe = await probed;

        Assert.Equal(sim.ChatGptAccountId, probe.Header("chatgpt-account-id"));
    }

    [Fact]
    public async Task QuotaError_BlockEnd_AndUnblock_ProbeTheAccountAgain_SoTheBlockAndTheBarsTellTheTruth()
    {
        var (sim, id) = await ImportAsync("recheck@example.com");
        await _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        var store = _proxy.Stack.Control.Services.GetRequiredService<AccountStore>();
        var edge = new Leases.PoolClient(_proxy.Stack.Control.Channel);
        var windowReset = _time.GetUtcNow().AddHours(1);
        sim.SetPrimaryUsage(100, windowReset);

        // A quota error without a reset: the fallback (5 minutes) blocks at once; the probe that follows finds the
        // exhausted window and lengthens the block to its reset.
        var lengthened = WhenAsync(store, a => a.Find(id)?.Blocks.Select(b => (DateTimeOffset?)b.Until).Max()?.ToUnixTimeSeconds() == windowReset.ToUnixTimeSeconds());
        await edge.SendAsync(Leases.PoolClient.Of(Leases.PoolClient.Attempt(id, 429, "usage_limit_reached")));
        await lengthened;
        // The block ends at the window's reset, and the usage is probed at that moment: the window started over.
        var ended = WhenAsync(store, a => a.Find(id) is { Blocks.Count: 0, Usage.FiveHour.UsedPercent: 0 });
        await _time.WaitForTimerAsync(armedBy: typeof(BlockHousekeeping)); // armed on its own thread
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2));
        await ended;
        // Unblock (after another quota error) also looks at the usage again.
        await edge.SendAsync(Leases.PoolClient.Of(Leases.PoolClient.Attempt(id, 429, "usage_limit_reached")));
        sim.SetPrimaryUsage(3);
        var reprobed = WhenAsync(store, a => a.Find(id) is { Blocks.Count: 0, Usage.FiveHour.UsedPercent: 3 });
        (await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null)).EnsureSuccessStatusCode();
        await reprobed;

        var account = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!;
        Assert.Equal("STATE_ACTIVE", (string?)account["state"]);
        Assert.Equal(3, (double?)account["usage"]!["fiveHour"]!["usedPercent"]);
    }

    [Fact]
    public async Task Unblock_OnAStillFullWindow_ReprobesAndBlocksAgainUntilItsReset()
    {
        var (sim, id) = await ImportAsync("override@example.com");
        await _proxy.Upstream.Requests.WaitForAsync(r => r.Path.EndsWith("/wham/usage"), TimeSpan.FromSeconds(20));
        var store = _proxy.Stack.Control.Services.GetRequiredService<AccountStore>();
        var edge = new Leases.PoolClient(_proxy.Stack.Control.Channel);
        var windowReset = _time.GetUtcNow().AddHours(1);
        sim.SetPrimaryUsage(100, windowReset);
        var lengthened = WhenAsync(store, a => a.Find(id)?.OrdinaryBlock(_time.GetUtcNow())?.Until.ToUnixTimeSeconds() == windowReset.ToUnixTimeSeconds());
        await edge.SendAsync(Leases.PoolClient.Of(Leases.PoolClient.Attempt(id, 429, "usage_limit_reached")));
        await lengthened;

        // The operator unblocks it; the probe that follows (the only one to see 41 % weekly) finds the 5-hour window
        // still spent, so the account is blocked again until that window resets — no request is wasted on it, and the
        // dashboard never shows "Active" next to a full window.
        // The quota error's own re-probe may still be on its way and see the 41 % too: only a probe after the
        // unblock counts, so the wait first sees the block cleared.
        sim.SetSecondaryUsage(41);
        var unblocked = false;
        var reprobed = WhenAsync(store, a =>
        {
            var account = a.Find(id);
            unblocked |= account?.OrdinaryBlock(_time.GetUtcNow()) is null;
            return unblocked && account is { Usage.Weekly.UsedPercent: 41 }
                && account.OrdinaryBlock(_time.GetUtcNow())?.Until.ToUnixTimeSeconds() == windowReset.ToUnixTimeSeconds();
        });
        (await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null)).EnsureSuccessStatusCode();
        await reprobed;
        var afterUnblock = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!;

        Assert.Equal("STATE_BLOCKED", (string?)afterUnblock["state"]);
        Assert.Equal(100, (double?)afterUnblock["usage"]!["fiveHour"]!["usedPercent"]);
    }

    /// <summary>Completes when a change to the accounts satisfies <paramref name="condition"/> (bounded).</summary>
    private static Task WhenAsync(AccountStore store, Func<AccountStore, bool> condition)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Changed += _ =>
        {
            if (condition(store))
            {
                reached.TrySetResult();
            }
        };
        return reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
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
