using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Tokens;
using MultiCodex.Control.V1;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Events;

/// <summary>
/// Every account and pool event fires on the real state change behind it: a quota error on a real /v1 request
/// (through the Edge, against the simulator), a block ending at its time, an Unblock, the issuer refusing a refresh
/// token for good or for now. Watched over Control's native gRPC WatchEvents.
/// </summary>
public sealed class AccountEventTests : IAsyncLifetime
{
    private readonly TimerAwareClock _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(null, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task QuotaErrorOnTheOnlyAccount_BlocksIt_ExhaustsThePool_AndTheBlockEndingRecoversBoth()
    {
        var (sim, id) = await _proxy.AddAccountAsync("solo@example.com");
        using var events = await EventStream.OpenAsync(_proxy.Stack.Control.Channel);
        sim.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));

        var answer = await RespondAsync();
        var blocked = await events.NextAsync();
        var exhausted = await events.NextAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.Equal(Event.Types.Type.AccountBlocked, blocked.Type);
        Assert.Equal((id, "solo@example.com", "solo@example.com"), (blocked.Account.Id, blocked.Account.Email, blocked.Account.Label));
        Assert.Equal("usage_limit_reached", blocked.Data["reason"]);
        var until = DateTimeOffset.Parse(blocked.Data["block_expire_time"]);
        Assert.InRange(until - _time.GetUtcNow(), TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
        Assert.StartsWith("solo@example.com is blocked by its quota (usage_limit_reached) until ", blocked.Summary);
        Assert.StartsWith("evt_", blocked.Id);
        Assert.Equal(Event.Types.Type.PoolExhausted, exhausted.Type);
        Assert.Null(exhausted.Account);
        Assert.Equal(("0", "1", "1"), (exhausted.Data["usable_accounts"], exhausted.Data["total_accounts"], exhausted.Data["blocked_accounts"]));
        Assert.Equal(blocked.Data["block_expire_time"], exhausted.Data["retry_time"]);
        Assert.Contains("clients get 429 until", exhausted.Summary);

        // The block ends by itself at its time (Control's housekeeping clears it): the account and the pool recover.
        // The housekeeping's timer is armed on its own thread; the clock jumps only once it exists.
        await _time.WaitForTimerAsync(armedBy: typeof(BlockHousekeeping));
        _time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(2));
        var unblocked = await events.NextAsync();
        var recovered = await events.NextAsync();

        Assert.Equal(Event.Types.Type.AccountUnblocked, unblocked.Type);
        Assert.Equal(id, unblocked.Account.Id);
        Assert.Equal("expired", unblocked.Data["ended"]);
        Assert.Equal(Event.Types.Type.PoolRecovered, recovered.Type);
        Assert.Equal("1", recovered.Data["usable_accounts"]);
        NoTokens.In(await _proxy.Stack.Admin.GetStringAsync("/admin/events"), _proxy.Stack.Data);
    }

    [Fact]
    public async Task QuotaErrorWithAnotherAccountLeft_BlocksWithoutExhausting_AndUnblockPublishesCleared()
    {
        var (first, firstId) = await _proxy.AddAccountAsync("first@example.com", priority: 0);
        await _proxy.AddAccountAsync("second@example.com", priority: 1);
        using var events = await EventStream.OpenAsync(_proxy.Stack.Control.Channel);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(2)));

        var answer = await RespondAsync();
        var blocked = await events.NextAsync();
        var unblock = await _proxy.Stack.Admin.PostAsync($"/admin/accounts/{firstId}/unblock", null);
        var unblocked = await events.NextAsync();
        var listed = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/events"))!["events"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal((Event.Types.Type.AccountBlocked, firstId), (blocked.Type, blocked.Account.Id));
        Assert.True(unblock.IsSuccessStatusCode);
        Assert.Equal((Event.Types.Type.AccountUnblocked, firstId), (unblocked.Type, unblocked.Account.Id));
        Assert.Equal("cleared", unblocked.Data["ended"]);
        // Newest first, and nothing about the pool: the second account served all along.
        Assert.Equal(["TYPE_ACCOUNT_UNBLOCKED", "TYPE_ACCOUNT_BLOCKED"], listed.Select(e => (string)e!["type"]!));
        Assert.Equal(unblocked.Id, (string?)listed[0]!["id"]);
    }

    [Fact]
    public async Task PermanentRefreshFailure_PublishesReauthRequired_AndTheOnlyAccountLeavesThePoolExhausted()
    {
        var (sim, id) = await _proxy.AddAccountAsync("gone@example.com");
        using var events = await EventStream.OpenAsync(_proxy.Stack.Control.Channel);
        sim.FailNextRefresh(RefreshFailure.InvalidGrant);

        var outcome = await _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>().RefreshAsync(id, "proactive_expiry");
        var reauth = await events.NextAsync();
        var exhausted = await events.NextAsync();

        Assert.Equal(RefreshStatus.ReauthRequired, outcome.Status);
        Assert.Equal((Event.Types.Type.ReauthRequired, id, "gone@example.com"), (reauth.Type, reauth.Account.Id, reauth.Account.Email));
        Assert.Equal("invalid_grant", reauth.Data["reason"]);
        Assert.Contains("needs a new sign-in", reauth.Summary);
        Assert.Equal(Event.Types.Type.PoolExhausted, exhausted.Type);
        Assert.Equal("1", exhausted.Data["reauth_required_accounts"]);
        Assert.False(exhausted.Data.ContainsKey("retry_time"));
        Assert.Contains("until an operator acts", exhausted.Summary);
        NoTokens.In(await _proxy.Stack.Admin.GetStringAsync("/admin/events"), _proxy.Stack.Data);
    }

    [Fact]
    public async Task TransientRefreshFailures_PublishRefreshFailingOncePerRun_AndKeepThePoolUsable()
    {
        var (sim, id) = await _proxy.AddAccountAsync("flaky@example.com");
        sim.FailNextRefresh(RefreshFailure.ServerError, times: 2);
        var refresher = _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>();

        var first = await refresher.RefreshAsync(id, "proactive_expiry");
        var second = await refresher.RefreshAsync(id, "proactive_expiry");
        var listed = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/events"))!["events"]!.AsArray();

        Assert.Equal((RefreshStatus.TransientFailure, RefreshStatus.TransientFailure), (first.Status, second.Status));
        var failing = Assert.Single(listed)!;
        Assert.Equal("TYPE_REFRESH_FAILING", (string?)failing["type"]);
        Assert.Equal(id, (string?)failing["account"]!["id"]);
        Assert.Equal(first.Reason, (string?)failing["data"]!["reason"]);
        Assert.True(DateTimeOffset.Parse((string)failing["data"]!["retry_time"]!) > _time.GetUtcNow());
        Assert.StartsWith("Refreshing the tokens of flaky@example.com failed", (string?)failing["summary"]);
    }

    [Fact]
    public async Task DisablingTheLastUsableAccount_ExhaustsThePool_AndEnablingItRecovers()
    {
        var (_, id) = await _proxy.AddAccountAsync("switch@example.com");
        using var events = await EventStream.OpenAsync(_proxy.Stack.Control.Channel);

        (await _proxy.Stack.Admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { enabled = false })).EnsureSuccessStatusCode();
        var exhausted = await events.NextAsync();
        (await _proxy.Stack.Admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { enabled = true })).EnsureSuccessStatusCode();
        var recovered = await events.NextAsync();

        Assert.Equal(Event.Types.Type.PoolExhausted, exhausted.Type);
        Assert.Equal("1", exhausted.Data["disabled_accounts"]);
        Assert.Contains("until an operator acts", exhausted.Summary);
        Assert.Equal(Event.Types.Type.PoolRecovered, recovered.Type);
    }

    private Task<HttpResponseMessage> RespondAsync() =>
        _proxy.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"hi"}""", Encoding.UTF8, "application/json"));
}
