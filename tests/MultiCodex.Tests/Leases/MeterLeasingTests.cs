using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Edge.Pool;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Selection and blocks per meter, end to end: /v1 on the Edge, Control, and the fake backend playing each usage
/// shape (weekly-only, credit-only, a reserve, workspace limits), on one fake clock.
/// </summary>
public sealed class MeterLeasingTests : IAsyncLifetime
{
    private const string Luna = "gpt-5.6-luna";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync(time: _time);
        _proxy.Upstream.Options.PrimaryPercentPerResponse = 0;
        _proxy.Upstream.Options.SecondaryPercentPerResponse = 0;
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task Reserve_ServesItsModelId_OnTheAccountWhoseWeeklyWindowIsSpent_AndItsOwnQuotaErrorBlocksOnlyIt()
    {
        var (reserve, reserveId) = await _proxy.AddAccountAsync("reserve@example.com");
        var (plain, plainId) = await _proxy.AddAccountAsync("plain@example.com", priority: 1);
        reserve.WeeklyOnlyPrimary = true;
        reserve.SetPrimaryUsage(100, _time.GetUtcNow().AddDays(3));
        var reserveReset = _time.GetUtcNow().AddDays(6);
        reserve.EnableReserve(Luna, usedPercent: 24, resetAt: reserveReset);
        await RefreshAllAsync();

        // The ordinary model goes where ordinary quota is left; the reserve's own id only where a reserve allows it.
        var ordinary = await ExplainAsync(Luna);
        var onReserve = await ExplainAsync("gpt-reserve");
        // The reserve runs out: its quota error blocks the reserve, not the account's other meters, and no account is left.
        reserve.SetReserveUsage(100);
        var spent = await SendAsync("gpt-reserve");
        await _proxy.Stack.Edge.FlushReportsAsync();
        var account = await _proxy.AccountAsync(reserveId);
        var stillServed = await ExplainAsync("gpt-5.5");

        Assert.Equal(plainId, ordinary.Account);
        Assert.Equal(reserveId, onReserve.Account);
        Assert.Contains("paid by its reserve gpt-reserve (gpt-5.6-luna)", onReserve.Reason);
        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        var retryAfter = spent.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, reserveReset - _time.GetUtcNow() - TimeSpan.FromSeconds(2), reserveReset - _time.GetUtcNow() + TimeSpan.FromSeconds(2));
        Assert.Equal(["weekly", "reserve:gpt-reserve"], account["blocks"]!.AsArray().Select(b => (string?)b!["meterKey"]));
        Assert.Equal(plainId, stillServed.Account);
        // The account without a reserve never saw the reserve's model id (the upstream would refuse it there).
        Assert.Equal((2, 2), (plain.ResponsesRequestCount, plain.CompletedResponseCount));
    }

    [Fact]
    public async Task CreditOnlyAccount_SpendControlReached_BlocksUntilTheBudgetResets_ThenServesAgain()
    {
        var (business, businessId) = await _proxy.AddAccountAsync("business@example.com");
        var (plus, plusId) = await _proxy.AddAccountAsync("plus@example.com");
        var budgetReset = _time.GetUtcNow().AddDays(12);
        business.UseCreditBudget(monthlyLimit: 1, used: 0, resetAt: budgetReset);
        plus.SetPrimaryUsage(10, _time.GetUtcNow().AddHours(2));
        plus.SetSecondaryUsage(20, _time.GetUtcNow().AddDays(2));
        await RefreshAllAsync();

        // Untouched on its budget: the credit-only account goes first, and the one credit it has pays for this answer.
        var first = await ExplainAsync();
        // Spent: the upstream answers spend_control_reached; the budget is blocked until it resets, the request moves on.
        var second = await ExplainAsync();
        await _proxy.Stack.Edge.FlushReportsAsync();
        var blocked = await _proxy.AccountAsync(businessId);
        // The new period: the block ends by itself, the budget starts over, and the account is untouched again.
        _time.Advance(budgetReset - _time.GetUtcNow() + TimeSpan.FromSeconds(2));
        await RefreshAllAsync();
        var third = await ExplainAsync();

        Assert.Equal(businessId, first.Account);
        Assert.Contains("untouched on its credit budget", first.Reason);
        Assert.Equal(plusId, second.Account);
        Assert.Equal(("STATE_BLOCKED", "spend_control_reached"), ((string?)blocked["state"], (string?)blocked["blockReason"]));
        var block = Assert.Single(blocked["blocks"]!.AsArray())!;
        Assert.Equal(("credits", budgetReset.ToUnixTimeSeconds()), ((string?)block["meterKey"], DateTimeOffset.Parse((string)block["expireTime"]!).ToUnixTimeSeconds()));
        Assert.Equal(businessId, third.Account);
    }

    [Fact]
    public async Task WorkspaceCreditsDepleted_BlocksEveryModelOfTheAccount_ReserveIncluded_UntilTheNamedReset()
    {
        var (member, memberId) = await _proxy.AddAccountAsync("member@example.com");
        var (other, otherId) = await _proxy.AddAccountAsync("other@example.com", priority: 1);
        member.EnableReserve(Luna, usedPercent: 0);
        await RefreshAllAsync();
        var reset = _time.GetUtcNow().AddHours(3);
        member.WorkspaceLimit = RateLimitReachedKind.WorkspaceMemberCreditsDepleted;
        member.WorkspaceLimitResetsAt = reset;

        var moved = await ExplainAsync();
        var reserveRefused = await SendAsync("gpt-reserve");
        await _proxy.Stack.Edge.FlushReportsAsync();
        var account = await _proxy.AccountAsync(memberId);

        Assert.Equal(otherId, moved.Account);
        Assert.Equal(1, other.CompletedResponseCount);
        Assert.Equal(HttpStatusCode.TooManyRequests, reserveRefused.StatusCode);
        Assert.InRange(reserveRefused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromHours(3) - TimeSpan.FromSeconds(2), TimeSpan.FromHours(3) + TimeSpan.FromSeconds(2));
        Assert.Equal(("STATE_BLOCKED", "workspace_member_credits_depleted"), ((string?)account["state"], (string?)account["blockReason"]));
        Assert.Equal("workspace", (string?)Assert.Single(account["blocks"]!.AsArray())!["meterKey"]);
    }

    [Fact]
    public async Task WeeklyOnlyAccounts_AreRankedByTheirWeeklyReset_AndWhenAllAreSpent_RetryAfterIsTheFirstReset()
    {
        var (late, lateId) = await _proxy.AddAccountAsync("late@example.com");
        var (soon, soonId) = await _proxy.AddAccountAsync("soon@example.com", priority: 1);
        late.WeeklyOnlyPrimary = true;
        soon.WeeklyOnlyPrimary = true;
        late.SetPrimaryUsage(30, _time.GetUtcNow().AddDays(5));
        soon.SetPrimaryUsage(60, _time.GetUtcNow().AddDays(1));
        await RefreshAllAsync();

        var ranked = await ExplainAsync();
        soon.SetPrimaryUsage(100);
        late.SetPrimaryUsage(100);
        await RefreshAllAsync();
        var none = await SendAsync("gpt-5.5");

        Assert.Equal(soonId, ranked.Account);
        Assert.Contains("weekly window resets soonest", ranked.Reason);
        Assert.Equal(HttpStatusCode.TooManyRequests, none.StatusCode);
        Assert.InRange(none.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromDays(1) - TimeSpan.FromSeconds(2), TimeSpan.FromDays(1) + TimeSpan.FromSeconds(2));
        // The usage headers show the account that frees up first, its one window as the primary (as the upstream sends it).
        Assert.Equal(("100", "10080", _time.GetUtcNow().AddDays(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (Header(none, "x-codex-primary-used-percent"), Header(none, "x-codex-primary-window-minutes"), Header(none, "x-codex-primary-reset-at")));
        Assert.False(none.Headers.Contains("x-codex-secondary-used-percent"));
        Assert.Equal(0, late.ResponsesRequestCount);
        Assert.Equal("STATE_BLOCKED", (string?)(await _proxy.AccountAsync(lateId))["state"]);
    }

    [Fact]
    public async Task ALeaseThatMaySwitch_SendsTheReserveModelId_OnlyOnceNoAccountHasOrdinaryQuota()
    {
        var (reserve, reserveId) = await _proxy.AddAccountAsync("switch@example.com");
        var (plain, plainId) = await _proxy.AddAccountAsync("fallback@example.com", priority: 1);
        reserve.SetPrimaryUsage(100, _time.GetUtcNow().AddHours(2));
        reserve.EnableReserve(Luna, usedPercent: 10);
        await RefreshAllAsync();
        var pool = _proxy.Stack.Edge.Services.GetRequiredService<IAccountPool>();

        var whileOrdinaryLeft = await pool.AcquireAsync(new LeaseRequest(Luna, null, [], null, MaySwitchToReserve: true), CancellationToken.None);
        var excluded = await pool.AcquireAsync(new LeaseRequest(Luna, null, [plainId], null, MaySwitchToReserve: true), CancellationToken.None);
        var cannotSwitch = await pool.AcquireAsync(new LeaseRequest(Luna, null, [plainId], null), CancellationToken.None);

        Assert.Equal((plainId, null, null), (whileOrdinaryLeft.Lease!.AccountId, whileOrdinaryLeft.Lease.PaidBy, whileOrdinaryLeft.Lease.UpstreamModel));
        Assert.Equal((reserveId, "reserve:gpt-reserve", "gpt-reserve"), (excluded.Lease!.AccountId, excluded.Lease.PaidBy, excluded.Lease.UpstreamModel));
        Assert.Contains("ordinary quota spent, served by its reserve gpt-reserve (gpt-5.6-luna) as gpt-reserve", excluded.Lease.Explanation);
        Assert.Null(cannotSwitch.Lease);
        Assert.Equal(_time.GetUtcNow().AddHours(2).ToUnixTimeSeconds(), cannotSwitch.RetryAt?.ToUnixTimeSeconds());
        foreach (var lease in new[] { whileOrdinaryLeft.Lease, excluded.Lease })
        {
            await pool.CompleteAsync(lease, new AttemptOutcome { RequestId = "r", Attempt = 1, Endpoint = "responses", Model = Luna, Status = 200, Duration = TimeSpan.Zero },
                CancellationToken.None);
        }
        Assert.Equal(0, _proxy.Stack.Edge.Services.GetRequiredService<PoolView>().InFlight());
        Assert.Equal(0, plain.ResponsesRequestCount);
    }

    [Fact]
    public async Task ARequestForTheReservesModel_WhenNoAccountHasOrdinaryQuota_IsServedByTheReserveUnderItsOwnId()
    {
        var (reserve, _) = await _proxy.AddAccountAsync("lastresort@example.com");
        reserve.SetPrimaryUsage(100, _time.GetUtcNow().AddHours(2));
        reserve.EnableReserve(Luna, usedPercent: 10);
        await RefreshAllAsync();

        var response = await SendAsync(Luna);
        var sent = _proxy.Upstream.Requests.All().Last(r => r.Path.EndsWith("/codex/responses"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-reserve", sent.Json!.Value.GetProperty("model").GetString());
        Assert.Equal("model=gpt-reserve", sent.Header("x-codex-routing-hint"));
        Assert.Equal(1, reserve.CompletedResponseCount);
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private async Task RefreshAllAsync()
    {
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
    }

    private async Task<HttpResponseMessage> SendAsync(string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = JsonContent.Create(new { model, input = "hi" }) };
        var response = await _proxy.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<(string Account, string Reason)> ExplainAsync(string model = "gpt-5.5")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = JsonContent.Create(new { model, input = "hi" }) };
        request.Headers.Add("x-multicodex-explain", "1");
        using var response = await _proxy.Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        // The explain header names the account by its email; these tests compare ids.
        var email = response.Headers.GetValues("x-multicodex-account").Single();
        var accounts = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts"))!["accounts"]!.AsArray();
        var id = (string)accounts.Single(a => (string?)a!["email"] == email)!["id"]!;
        return (id, response.Headers.GetValues("x-multicodex-reason").Single());
    }
}
