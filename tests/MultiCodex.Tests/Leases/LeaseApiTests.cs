using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Control.Leases;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>Leases, outcomes, blocks and stickiness over Control's real gRPC lease API, on a fake clock.</summary>
public sealed class LeaseApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Stack _stack = null!;
    private LeaseService.LeaseServiceClient _leases = null!;

    public async Task InitializeAsync()
    {
        _stack = await Stack.StartAsync(new Dictionary<string, string?> { ["BLOCK_FALLBACK_SECONDS"] = "600" }, _time);
        _leases = new LeaseService.LeaseServiceClient(_stack.Control.Channel);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task ThreeAccounts_GoThroughTheThreeRules_AndAQuotaBlockThatClearsItself()
    {
        var a = await AddAsync("a@example.com", priority: 2);
        var b = await AddAsync("b@example.com", priority: 1);
        var c = await AddAsync("c@example.com", priority: 3);

        // Rule 3: no usage known yet, so priority decides (lower first).
        var first = await AcquireAsync();
        Assert.Equal((b, "priority"), (first.AccountId, first.Rule));
        await ReportAsync(first, 200, headers: Windows(5, 20, weeklyResetHours: 50));

        // Rule 1: an account untouched on both windows beats everything.
        await ReportAsync(await AcquireAsync(), 200);
        var untouchedLease = await AcquireAsync(exclude: [b]);
        await ReportAsync(untouchedLease, 200, headers: Windows(0, 0, weeklyResetHours: 90));
        var untouched = await AcquireAsync();
        Assert.Equal("untouched", untouched.Rule);
        await ReportAsync(untouched, 200, headers: Windows(1, 30, weeklyResetHours: 90));

        // Rule 2: with every account touched, the weekly window that resets soonest.
        var cLease = await AcquireAsync(exclude: [a, b]);
        Assert.Equal(c, cLease.AccountId);
        await ReportAsync(cLease, 200, headers: Windows(10, 60, weeklyResetHours: 24));
        var soonest = await AcquireAsync();
        Assert.Equal((c, "weekly_reset_soonest"), (soonest.AccountId, soonest.Rule));
        Assert.Contains("resets soonest", soonest.Explanation);

        // A quota error blocks c until the reset the upstream named; the next account takes over.
        var effect = await ReportAsync(soonest, 429, "usage_limit_reached", resetsIn: TimeSpan.FromHours(1));
        Assert.True(effect.AccountBlocked);
        var whileBlocked = await AcquireAsync();
        Assert.Equal(b, whileBlocked.AccountId);
        await ReportAsync(whileBlocked, 200);
        Assert.Equal("STATE_BLOCKED", await StateOf(c));

        // At its time the block ends by itself, and c (weekly resets soonest) is chosen again.
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var afterBlock = await AcquireAsync();
        Assert.Equal(c, afterBlock.AccountId);
        Assert.Equal("STATE_ACTIVE", await StateOf(c));
    }

    [Theory]
    [InlineData(429, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(429, "usage_not_included", "To use Codex with your ChatGPT plan, upgrade to Plus")]
    [InlineData(404, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(200, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(404, null, "You've hit your usage limit.")]
    public async Task QuotaOutcomes_InEveryForm_BlockTheAccount(int status, string? code, string message)
    {
        var id = await AddAsync("q@example.com");

        var effect = await ReportAsync(await AcquireAsync(), status, code, message: message);
        var next = await _leases.AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }, Stack.Authorized);

        Assert.True(effect.AccountBlocked);
        Assert.Equal("STATE_BLOCKED", await StateOf(id));
        Assert.Null(next.Lease);
        Assert.Contains("blocked", next.UnavailableReason);
        // No reset named: the fallback cooldown (600 s here) applies, and the caller learns when to retry.
        Assert.Equal(_time.GetUtcNow().AddSeconds(600).ToUnixTimeSeconds(), next.RetryTime.ToDateTimeOffset().ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "Unsupported parameter: temperature")]
    [InlineData(500, "server_error", "We're currently experiencing high demand")]
    [InlineData(503, "server_is_overloaded", "Selected model is at capacity.")]
    public async Task NonQuotaErrors_NeverBlock(int status, string code, string message)
    {
        var id = await AddAsync("nb@example.com");

        var effect = await ReportAsync(await AcquireAsync(), status, code, message: message);

        Assert.False(effect.AccountBlocked);
        Assert.Equal("STATE_ACTIVE", await StateOf(id));
    }

    [Fact]
    public async Task Block_UsesResetsAt_PersistsAcrossRestart_AndUnblockClearsIt()
    {
        var id = await AddAsync("persist@example.com");
        var resetsAt = _time.GetUtcNow().AddHours(3);

        await ReportAsync(await AcquireAsync(), 429, "usage_limit_reached", resetsAt: resetsAt);
        var blockedUntil = (await AccountJson(id))["blockExpireTime"]!.GetValue<string>();
        var unblocked = await _stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null);

        Assert.Equal(resetsAt.ToUnixTimeSeconds(), DateTimeOffset.Parse(blockedUntil).ToUnixTimeSeconds());
        Assert.True(unblocked.IsSuccessStatusCode);
        Assert.Equal("STATE_ACTIVE", await StateOf(id));
        Assert.Equal(id, (await AcquireAsync()).AccountId);
    }

    [Fact]
    public async Task RateLimitHeaders_UpdateUsageWithoutAProbe()
    {
        var id = await AddAsync("live@example.com");

        await ReportAsync(await AcquireAsync(), 200, headers: Windows(42, 17, weeklyResetHours: 30));
        var usage = (await AccountJson(id))["usage"]!;

        Assert.Equal(42, (double?)usage["fiveHour"]!["usedPercent"]);
        Assert.Equal(17, (double?)usage["weekly"]!["usedPercent"]);
        Assert.Equal("604800s", (string?)usage["weekly"]!["length"]);
    }

    [Fact]
    public async Task SessionKey_StaysOnItsAccount_SurvivesAOneOffFailover_AndExpiresWhenIdle()
    {
        var a = await AddAsync("s-a@example.com");
        var b = await AddAsync("s-b@example.com");
        var first = await AcquireAsync(session: "thread-1");
        await ReportAsync(first, 200);
        var other = first.AccountId == a ? b : a;

        // Make the session's account rank worse: stickiness still wins.
        await ReportAsync(await AcquireAsync(exclude: [other]), 200, headers: Windows(50, 50, weeklyResetHours: 100));
        var sticky = await AcquireAsync(session: "thread-1");
        Assert.Equal((first.AccountId, "sticky"), (sticky.AccountId, sticky.Rule));
        await ReportAsync(sticky, 200);

        // A one-off failover within a request does not move the session.
        var failover = await AcquireAsync(session: "thread-1", exclude: [first.AccountId]);
        await ReportAsync(failover, 200);
        Assert.Equal(first.AccountId, (await AcquireAndReportAsync("thread-1")).AccountId);

        // Idle past the limit (1 hour by default): the mapping is gone and the rules decide again.
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var fresh = await AcquireAsync(session: "thread-1");
        Assert.NotEqual("sticky", fresh.Rule);
    }

    [Fact]
    public async Task SixtyFourConcurrentCallers_SpreadOverTiedAccounts_AndInFlightCountsReturnToZero()
    {
        var ids = new[] { await AddAsync("c1@example.com"), await AddAsync("c2@example.com"), await AddAsync("c3@example.com"), await AddAsync("c4@example.com") };
        var allocator = _stack.Control.Services.GetRequiredService<LeaseAllocator>();

        var leases = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => AcquireAsync()));
        var inFlight = ids.ToDictionary(id => id, allocator.InFlight);
        await Task.WhenAll(leases.Select(l => ReportAsync(l, 200)));

        Assert.Equal(64, leases.Select(l => l.LeaseId).Distinct().Count());
        Assert.All(ids, id => Assert.Equal(16, inFlight[id]));
        Assert.All(ids, id => Assert.Equal(0, allocator.InFlight(id)));
    }

    [Fact]
    public async Task ReportingTwice_IsRefused()
    {
        await AddAsync("twice@example.com");
        var lease = await AcquireAsync();

        await ReportAsync(lease, 200);
        var error = await Assert.ThrowsAsync<RpcException>(() => ReportAsync(lease, 200));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task NoAccounts_SaysSo()
    {
        var reply = await _leases.AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }, Stack.Authorized);

        Assert.Null(reply.Lease);
        Assert.Equal("No accounts are configured.", reply.UnavailableReason);
    }

    private async Task<string> AddAsync(string email, int priority = 0)
    {
        var tokens = TestTokens.For(email, expires: _time.GetUtcNow().AddDays(10));
        var response = await _stack.Admin.PostAsJsonAsync("/admin/accounts", new
        {
            tokens = new { accessToken = tokens.AccessToken, refreshToken = tokens.RefreshToken, idToken = tokens.IdToken },
            priority,
        });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
    }

    private async Task<Lease> AcquireAsync(string? session = null, string[]? exclude = null)
    {
        var request = new AcquireLeaseRequest { Model = "gpt-5.5", SessionKey = session ?? "" };
        request.ExcludedAccountIds.AddRange(exclude ?? []);
        var reply = await _leases.AcquireLeaseAsync(request, Stack.Authorized);
        Assert.True(reply.Lease is not null, reply.UnavailableReason);
        Assert.False(string.IsNullOrEmpty(reply.Lease.AccessToken));
        return reply.Lease;
    }

    private async Task<Lease> AcquireAndReportAsync(string session)
    {
        var lease = await AcquireAsync(session: session);
        await ReportAsync(lease, 200);
        return lease;
    }

    private async Task<ReportOutcomeResponse> ReportAsync(Lease lease, int status, string? code = null, string? message = null,
        TimeSpan? resetsIn = null, DateTimeOffset? resetsAt = null, Dictionary<string, string>? headers = null)
    {
        var request = new ReportOutcomeRequest
        {
            LeaseId = lease.LeaseId,
            StatusCode = status,
            ErrorCode = code ?? "",
            ErrorMessage = message ?? "",
            ResetsIn = resetsIn is { } i ? Duration.FromTimeSpan(i) : null,
            ResetsAt = resetsAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        };
        request.RateLimitHeaders.Add(headers ?? []);
        return await _leases.ReportOutcomeAsync(request, Stack.Authorized);
    }

    private Dictionary<string, string> Windows(double fiveHourUsed, double weeklyUsed, int weeklyResetHours) => new()
    {
        ["x-codex-primary-used-percent"] = fiveHourUsed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x-codex-primary-window-minutes"] = "300",
        ["x-codex-primary-reset-at"] = _time.GetUtcNow().AddHours(2).ToUnixTimeSeconds().ToString(),
        ["x-codex-secondary-used-percent"] = weeklyUsed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x-codex-secondary-window-minutes"] = "10080",
        ["x-codex-secondary-reset-at"] = _time.GetUtcNow().AddHours(weeklyResetHours).ToUnixTimeSeconds().ToString(),
    };

    private async Task<JsonObject> AccountJson(string id) =>
        (await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!.AsObject();

    private async Task<string?> StateOf(string id) => (string?)(await AccountJson(id))["state"];
}
