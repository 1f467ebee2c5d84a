using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Control reads every usage shape of the fake backend as meters (weekly-only, credit-only, the reserve, workspace
/// limits), and blocks per meter — from its probes and from the Edges' reports — until the meter resets; Unblock
/// clears every meter's block.
/// </summary>
public sealed class MeterUsageTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;
    private PoolClient _edge = null!;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync(new() { ["BLOCK_FALLBACK_SECONDS"] = "600" }, _time);
        _edge = new PoolClient(_proxy.Stack.Control.Channel);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task WeeklyOnlyAccount_HasOneWeeklyMeter_AndNoFiveHourWindow()
    {
        var (sim, id) = await _proxy.AddAccountAsync("weekly@example.com");
        sim.WeeklyOnlyPrimary = true;
        sim.SetPrimaryUsage(40, _time.GetUtcNow().AddDays(2));

        var usage = (await RefreshAsync(id))["usage"]!;

        var meter = Assert.Single(usage["meters"]!.AsArray())!;
        Assert.Equal(("weekly", "KIND_WEEKLY", 40.0), ((string?)meter["key"], (string?)meter["kind"], (double?)meter["usedPercent"]));
        Assert.Equal("604800s", (string?)meter["windowLength"]);
        Assert.Null(usage["fiveHour"]);
        Assert.Equal(40, (double?)usage["weekly"]!["usedPercent"]);
    }

    [Fact]
    public async Task CreditOnlyAccount_HasACreditBudgetMeter_WithSpentLimitAndReset()
    {
        var (sim, id) = await _proxy.AddAccountAsync("business@example.com");
        var reset = _time.GetUtcNow().AddDays(12);
        sim.UseCreditBudget(monthlyLimit: 200, used: 50, resetAt: reset);

        var account = await RefreshAsync(id);

        var meter = Assert.Single(account["usage"]!["meters"]!.AsArray())!;
        Assert.Equal(("credits", "KIND_CREDIT_BUDGET", 25.0), ((string?)meter["key"], (string?)meter["kind"], (double?)meter["usedPercent"]));
        Assert.Equal(("200.00", "50.00"), ((string?)meter["creditLimit"], (string?)meter["creditsUsed"]));
        Assert.Equal(reset.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)meter["resetTime"]!).ToUnixTimeSeconds());
        Assert.Null(account["usage"]!["fiveHour"]);
        Assert.Null(account["usage"]!["weekly"]);
        Assert.Equal("STATE_ACTIVE", (string?)account["state"]);
    }

    [Fact]
    public async Task SpentCreditBudget_BlocksTheCreditMeterUntilTheBudgetResets()
    {
        var (sim, id) = await _proxy.AddAccountAsync("spent@example.com");
        var reset = _time.GetUtcNow().AddDays(5);
        sim.UseCreditBudget(monthlyLimit: 10, used: 10, resetAt: reset);

        var account = await RefreshAsync(id);

        Assert.Equal(("STATE_BLOCKED", "spend_control_reached"), ((string?)account["state"], (string?)account["blockReason"]));
        var block = Assert.Single(account["blocks"]!.AsArray())!;
        Assert.Equal(("credits", reset.ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
        Assert.True((bool?)account["usage"]!["meters"]![0]!["limitReached"]);
    }

    [Fact]
    public async Task ReserveAccount_SpentOnItsWindow_IsBlockedOnTheWindowOnly_AndListsItsReserve()
    {
        var (sim, id) = await _proxy.AddAccountAsync("reserve@example.com");
        var weeklyReset = _time.GetUtcNow().AddDays(3);
        sim.WeeklyOnlyPrimary = true;
        sim.SetPrimaryUsage(100, weeklyReset);
        sim.EnableReserve("gpt-5.6-luna", usedPercent: 24, resetAt: _time.GetUtcNow().AddDays(6));

        var account = await RefreshAsync(id);

        var meters = account["usage"]!["meters"]!.AsArray();
        Assert.Equal(["weekly", "reserve:gpt-reserve"], meters.Select(m => (string?)m!["key"]));
        var reserve = meters[1]!;
        Assert.Equal(("KIND_RESERVE", "gpt-reserve", "gpt-5.6-luna", 24.0),
            ((string?)reserve["kind"], (string?)reserve["limitName"], (string?)reserve["model"], (double?)reserve["usedPercent"]));
        var block = Assert.Single(account["blocks"]!.AsArray())!;
        Assert.Equal(("weekly", weeklyReset.ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
    }

    [Fact]
    public async Task WorkspaceLimit_NamedByTheUsagePayload_BlocksEveryModel()
    {
        var (sim, id) = await _proxy.AddAccountAsync("member@example.com");
        sim.WorkspaceLimit = RateLimitReachedKind.WorkspaceMemberCreditsDepleted;

        var account = await RefreshAsync(id);

        Assert.Equal(("STATE_BLOCKED", "workspace_member_credits_depleted"), ((string?)account["state"], (string?)account["blockReason"]));
        var block = Assert.Single(account["blocks"]!.AsArray())!;
        // No reset in the payload: the fallback, after which the block's end probes the account again.
        Assert.Equal(("workspace", _time.GetUtcNow().AddSeconds(600).ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
    }

    [Fact]
    public async Task SpendControlReached_Reported_BlocksTheCreditMeterUntilTheNamedReset()
    {
        var (_, id) = await _proxy.AddAccountAsync("report-credits@example.com");
        var reset = _time.GetUtcNow().AddDays(9);

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", "You have reached your spend limit for this period.",
            resetsAt: reset, headers: new Dictionary<string, string> { ["x-codex-rate-limit-reached-type"] = "spend_control_reached" })));
        var account = await _proxy.AccountAsync(id);

        Assert.Equal(("STATE_BLOCKED", "spend_control_reached"), ((string?)account["state"], (string?)account["blockReason"]));
        var block = Assert.Single(account["blocks"]!.AsArray())!;
        Assert.Equal(("credits", reset.ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
    }

    [Theory]
    [InlineData("workspace_member_credits_depleted")]
    [InlineData("workspace_owner_credits_depleted")]
    [InlineData("workspace_owner_usage_limit_reached")]
    public async Task WorkspaceStop_Reported_BlocksEveryModelUntilTheNamedReset(string kind)
    {
        var (_, id) = await _proxy.AddAccountAsync("report-workspace@example.com");
        var reset = _time.GetUtcNow().AddHours(3);

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", "Your workspace is out of credits.",
            resetsAt: reset, headers: new Dictionary<string, string> { ["x-codex-rate-limit-reached-type"] = kind })));
        var account = await _proxy.AccountAsync(id);

        Assert.Equal(("STATE_BLOCKED", kind), ((string?)account["state"], (string?)account["blockReason"]));
        var block = Assert.Single(account["blocks"]!.AsArray())!;
        Assert.Equal(("workspace", reset.ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
    }

    [Fact]
    public async Task QuotaErrorOnTheReserve_BlocksTheReserveOnly_AndUnblockClearsEveryMetersBlock()
    {
        var (_, id) = await _proxy.AddAccountAsync("report-reserve@example.com");
        var reserveReset = _time.GetUtcNow().AddDays(4);
        var onReserve = PoolClient.Attempt(id, 429, "usage_limit_reached", resetsAt: reserveReset);
        onReserve.Model = "gpt-reserve";
        onReserve.PaidBy = "reserve:gpt-reserve";

        await _edge.SendAsync(PoolClient.Of(onReserve));
        var reserveBlocked = await _proxy.AccountAsync(id);
        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", resetsIn: TimeSpan.FromHours(1))));
        var bothBlocked = await _proxy.AccountAsync(id);
        var unblocked = (await (await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null)).Content.ReadFromJsonAsync<JsonObject>())!["account"]!;

        // Ordinary requests may still go: only the reserve is spent.
        Assert.Equal("STATE_ACTIVE", (string?)reserveBlocked["state"]);
        var block = Assert.Single(reserveBlocked["blocks"]!.AsArray())!;
        Assert.Equal(("reserve:gpt-reserve", reserveReset.ToUnixTimeSeconds()), ((string?)block["meterKey"], Time(block["expireTime"])));
        Assert.Equal("STATE_BLOCKED", (string?)bothBlocked["state"]);
        Assert.Equal(["reserve:gpt-reserve", "ordinary"], bothBlocked["blocks"]!.AsArray().Select(b => (string?)b!["meterKey"]));
        Assert.Equal("STATE_ACTIVE", (string?)unblocked["state"]);
        Assert.Empty(unblocked["blocks"]!.AsArray());
    }

    [Fact]
    public async Task UsageHistory_KeepsEveryMeter_ByItsKey()
    {
        var (reserve, reserveId) = await _proxy.AddAccountAsync("history-reserve@example.com");
        var (business, businessId) = await _proxy.AddAccountAsync("history-business@example.com");
        reserve.WeeklyOnlyPrimary = true;
        reserve.SetPrimaryUsage(100, _time.GetUtcNow().AddDays(2));
        reserve.EnableReserve("gpt-5.6-luna", usedPercent: 24);
        business.UseCreditBudget(monthlyLimit: 200, used: 50);

        await RefreshAsync(reserveId);
        await RefreshAsync(businessId);

        Assert.Equal(["reserve:gpt-reserve:24", "weekly:100"], (await LatestMetersAsync(reserveId, 2)).Order());
        Assert.Equal(["credits:25"], await LatestMetersAsync(businessId, 1));
    }

    /// <summary>The meters of the account's latest usage sample once it has <paramref name="count"/> (the history is written in the background).</summary>
    private async Task<List<string>> LatestMetersAsync(string id, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var samples = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/usage/history?accountId={id}", timeout.Token))!["samples"]!.AsArray();
            var meters = samples.LastOrDefault()?["meters"]?.AsArray().Select(m => $"{(string?)m!["meter"]}:{(double?)m["usedPercent"]}").ToList() ?? [];
            if (meters.Count >= count)
            {
                return meters;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<JsonObject> RefreshAsync(string id)
    {
        var response = await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{id}/refresh-usage", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!.AsObject();
    }

    private static long Time(JsonNode? timestamp) => DateTimeOffset.Parse((string)timestamp!).ToUnixTimeSeconds();
}
