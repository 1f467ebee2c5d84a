using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Edge.Pool;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Leasing on the Edge from Control's pushed view, through /v1 against the fake backend, with one fake clock for the
/// fake, Control and the Edge: the three rules and their tie-breaks, blocks that end by themselves, stickiness.
/// </summary>
public sealed class PoolLeasingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync(time: _time);
        // Usage moves only when a test says so.
        _proxy.Upstream.Options.PrimaryPercentPerResponse = 0;
        _proxy.Upstream.Options.SecondaryPercentPerResponse = 0;
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task ThreeAccounts_GoThroughTheThreeRules_ThenAQuotaBlockEndsByItself()
    {
        var (a, _) = await _proxy.AddAccountAsync("a@example.com", priority: 2);
        var (b, _) = await _proxy.AddAccountAsync("b@example.com", priority: 1);
        var (c, cId) = await _proxy.AddAccountAsync("c@example.com", priority: 3);
        var now = _time.GetUtcNow();
        b.SetPrimaryUsage(5, now.AddHours(2));
        b.SetSecondaryUsage(20, now.AddHours(50));
        c.SetPrimaryUsage(10, now.AddHours(2));
        c.SetSecondaryUsage(60, now.AddHours(24));

        // Rule 3: no usage known yet, so priority decides (lower first).
        var byPriority = await ExplainAsync();
        // Every account's usage known; a is untouched on both windows.
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        var untouched = await ExplainAsync();
        // a is used now: the answer's rate-limit headers say so, and the Edge reads them at once.
        a.SetPrimaryUsage(1, now.AddHours(2));
        a.SetSecondaryUsage(30, now.AddHours(90));
        await ExplainAsync();
        // Rule 2: every account touched, so the weekly window that resets soonest.
        var soonest = await ExplainAsync();
        // A quota error blocks c until the reset the upstream named; the request moves on to the next soonest.
        c.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        var failover = await ExplainAsync();
        var cRequests = c.ResponsesRequestCount;
        await _proxy.Stack.Edge.FlushReportsAsync();
        var stateWhileBlocked = (string?)(await _proxy.AccountAsync(cId))["state"];
        // At its time the block ends by itself, and c (weekly resets soonest) is chosen again.
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var afterBlock = await ExplainAsync();

        Assert.Equal("b@example.com", byPriority.Account);
        Assert.Contains("no usage known; by priority", byPriority.Reason);
        Assert.Equal("a@example.com", untouched.Account);
        Assert.Contains("a@example.com: untouched on both windows", untouched.Reason);
        Assert.Equal("c@example.com", soonest.Account);
        Assert.Contains("weekly window resets soonest", soonest.Reason);
        Assert.Equal("b@example.com", failover.Account);
        Assert.Equal(2, cRequests);
        Assert.Equal("STATE_BLOCKED", stateWhileBlocked);
        Assert.Equal("c@example.com", afterBlock.Account);
    }

    [Fact]
    public async Task Conversation_StaysOnItsAccount_ReturnsAfterAOneOffFailover_AndIsFreeAgainWhenIdle()
    {
        var (a, _) = await _proxy.AddAccountAsync("s-a@example.com", priority: 0);
        await _proxy.AddAccountAsync("s-b@example.com", priority: 1);

        var first = await ExplainAsync("thread-1");
        // Make a rank worse than b: the conversation still stays on a.
        a.SetPrimaryUsage(50, _time.GetUtcNow().AddHours(2));
        a.SetSecondaryUsage(50, _time.GetUtcNow().AddHours(100));
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        var otherConversation = await ExplainAsync("thread-2");
        var sticky = await ExplainAsync("thread-1");
        // A rate limit on a: this one request moves to b, the conversation does not.
        a.EnqueueBehavior(ResponseBehavior.RateLimitExceeded());
        var failover = await ExplainAsync("thread-1");
        _time.Advance(TimeSpan.FromSeconds(5));
        var back = await ExplainAsync("thread-1");
        // Idle past the limit (1 hour by default): the binding is gone and the rules decide again.
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var fresh = await ExplainAsync("thread-1");

        Assert.Equal("s-a@example.com", first.Account);
        Assert.Equal("s-b@example.com", otherConversation.Account);
        Assert.Equal("s-a@example.com", sticky.Account);
        Assert.Contains("keeps this session (sticky)", sticky.Reason);
        Assert.Equal("s-b@example.com", failover.Account);
        Assert.Equal("s-a@example.com", back.Account);
        Assert.Equal("s-b@example.com", fresh.Account);
        Assert.DoesNotContain("sticky", fresh.Reason);
    }

    [Fact]
    public async Task SixtyFourConcurrentRequests_SpreadOverTiedAccounts_AndNoLeaseStaysInFlight()
    {
        var accounts = new[]
        {
            await _proxy.AddAccountAsync("c1@example.com"), await _proxy.AddAccountAsync("c2@example.com"),
            await _proxy.AddAccountAsync("c3@example.com"), await _proxy.AddAccountAsync("c4@example.com"),
        };
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = $"n{i}" }))));

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // Tied on every rule and on priority: least recently used spreads them evenly.
        Assert.All(accounts, a => Assert.Equal(16, a.Sim.ResponsesRequestCount));
        // A lease ends just after its client has the whole answer (the Edge drains the upstream connection first).
        var view = _proxy.Stack.Edge.Services.GetRequiredService<PoolView>();
        await view.WaitUntilNoLeaseInFlightAsync();
        Assert.Equal(0, view.InFlight());
    }

    // The account's email (x-multicodex-account) and why it was chosen.
    private async Task<(string Account, string Reason)> ExplainAsync(string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            // Without a session each request is a conversation of its own (a derived key would bind equal openings).
            Content = Json(new { model = "gpt-5.5", input = "hi", prompt_cache_key = session ?? Guid.NewGuid().ToString() }),
        };
        request.Headers.Add("x-multicodex-explain", "1");
        using var response = await _proxy.Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (response.Headers.GetValues("x-multicodex-account").Single(), response.Headers.GetValues("x-multicodex-reason").Single());
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
