using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Control's side of the pool over its real gRPC PoolService, on a fake clock: the view it pushes, and what it makes
/// of the reports that come back — blocks by the shared rules, live usage, the request log, redelivery, late reports.
/// </summary>
public sealed class PoolServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Stack _stack = null!;
    private PoolClient _edge = null!;

    public async Task InitializeAsync()
    {
        _stack = await Stack.StartAsync(new Dictionary<string, string?> { ["BLOCK_FALLBACK_SECONDS"] = "600" }, _time);
        _edge = new PoolClient(_stack.Control.Channel);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task WatchPool_SendsTheWholeView_ThenEveryChange_WithTheAccessTokenButNeverTheRefreshToken()
    {
        var tokens = TestTokens.For("view@example.com", expires: _time.GetUtcNow().AddDays(10));
        var id = (string)(await _stack.AddAccountAsync(tokens))["id"]!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _edge.Watch(timeout.Token);

        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        var full = watch.ResponseStream.Current;
        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", resetsIn: TimeSpan.FromMinutes(10))));
        WatchPoolResponse change;
        do
        {
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
            change = watch.ResponseStream.Current;
        }
        while (change.Accounts.All(a => a.BlockExpireTime is null));

        Assert.True(full.Replace);
        var account = Assert.Single(full.Accounts);
        Assert.Equal((id, "view@example.com", tokens.AccessToken, tokens.ChatGptAccountId), (account.Id, account.Email, account.AccessToken, account.ChatgptAccountId));
        Assert.DoesNotContain(tokens.RefreshToken, full.ToString());
        Assert.NotNull(full.Settings);
        Assert.Equal(TimeSpan.FromSeconds(600), full.Settings.BlockFallback.ToTimeSpan());
        Assert.False(change.Replace);
        Assert.True(change.Version > full.Version);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), Assert.Single(change.Accounts).BlockExpireTime.ToDateTimeOffset().ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData(429, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(429, "usage_not_included", "To use Codex with your ChatGPT plan, upgrade to Plus")]
    [InlineData(404, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(200, "usage_limit_reached", "The usage limit has been reached")]
    [InlineData(404, null, "You've hit your usage limit.")]
    public async Task QuotaReports_InEveryForm_BlockTheAccount(int status, string? code, string message)
    {
        var id = await AddAsync("q@example.com");

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, status, code, message)));
        var account = await AccountJson(id);

        Assert.Equal("STATE_BLOCKED", (string?)account["state"]);
        // No reset named: the fallback cooldown (600 s here) applies.
        Assert.Equal(_time.GetUtcNow().AddSeconds(600).ToUnixTimeSeconds(), DateTimeOffset.Parse((string)account["blockExpireTime"]!).ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "Unsupported parameter: temperature")]
    [InlineData(500, "server_error", "We're currently experiencing high demand")]
    [InlineData(503, "server_is_overloaded", "Selected model is at capacity.")]
    public async Task NonQuotaErrors_NeverBlock(int status, string code, string message)
    {
        var id = await AddAsync("nb@example.com");

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, status, code, message)));

        Assert.Equal("STATE_ACTIVE", (string?)(await AccountJson(id))["state"]);
    }

    [Fact]
    public async Task Block_UsesResetsAt_IsOnDiskWhenAcknowledged_AndUnblockClearsIt()
    {
        var id = await AddAsync("persist@example.com");
        var resetsAt = _time.GetUtcNow().AddHours(3);

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", resetsAt: resetsAt)));
        var onDisk = JsonNode.Parse(await File.ReadAllTextAsync(_stack.Data.File("accounts.json")))!["accounts"]![0]!["block"]!;
        var unblocked = await _stack.Admin.PostAsync($"/admin/accounts/{id}/unblock", null);

        Assert.Equal(resetsAt.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)onDisk["until"]!).ToUnixTimeSeconds());
        Assert.True(unblocked.IsSuccessStatusCode);
        Assert.Equal("STATE_ACTIVE", (string?)(await AccountJson(id))["state"]);
    }

    [Fact]
    public async Task RateLimitHeaders_UpdateUsageWithoutAProbe()
    {
        var id = await AddAsync("live@example.com");

        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(id, 200, headers: PoolClient.Windows(_time.GetUtcNow(), 42, 17, weeklyResetHours: 30))));
        var usage = (await AccountJson(id))["usage"]!;

        Assert.Equal(42, (double?)usage["fiveHour"]!["usedPercent"]);
        Assert.Equal(17, (double?)usage["weekly"]!["usedPercent"]);
        Assert.Equal("604800s", (string?)usage["weekly"]!["length"]);
    }

    [Fact]
    public async Task ABatchDeliveredAgain_CountsOnce()
    {
        var id = await AddAsync("again@example.com");
        var first = PoolClient.Of(PoolClient.Attempt(id, 200, clientName: "laptop"));
        var second = PoolClient.Of(PoolClient.Attempt(id, 200, clientName: "laptop"));

        var reply = await _edge.SendAsync(first, second);
        // The reply was lost: the Edge sends the same batch again.
        var again = await _edge.ResendAsync(first, second);
        var requests = (await _stack.Admin.GetFromJsonAsync<JsonObject>("/admin/requests"))!["requests"]!.AsArray();

        Assert.Equal(2ul, reply.AppliedThrough);
        Assert.Equal(2ul, again.AppliedThrough);
        Assert.Equal(2, requests.Count(r => (string?)r!["clientName"] == "laptop"));
    }

    [Fact]
    public async Task AReportQueuedWhileControlWasAway_IsDatedByItsAge()
    {
        var id = await AddAsync("late@example.com");

        // Seen 90 s ago: a 60 s block from then is over already; the request log dates the attempt back.
        await _edge.SendAsync(
            PoolClient.Of(PoolClient.Attempt(id, 429, "usage_limit_reached", resetsIn: TimeSpan.FromSeconds(60)), age: TimeSpan.FromSeconds(90)),
            PoolClient.Of(PoolClient.Attempt(id, 200, clientName: "queued"), age: TimeSpan.FromSeconds(30)));
        var requests = (await _stack.Admin.GetFromJsonAsync<JsonObject>("/admin/requests"))!["requests"]!.AsArray();
        var queued = requests.Single(r => (string?)r!["clientName"] == "queued")!;

        Assert.Equal("STATE_ACTIVE", (string?)(await AccountJson(id))["state"]);
        Assert.Equal(_time.GetUtcNow().AddSeconds(-30).AddMilliseconds(-250), DateTimeOffset.Parse((string)queued["time"]!));
    }

    [Fact]
    public async Task ConflictingBinding_KeepsTheHeldAccountWhileItIsEligible_AndMovesWhenItIsNot()
    {
        var a = await AddAsync("bind-a@example.com");
        var b = await AddAsync("bind-b@example.com");
        var otherEdge = new PoolClient(_stack.Control.Channel, "edge_other");

        await _edge.SendAsync(PoolClient.Binding("thread-1", a));
        // Another Edge had not heard of it yet and bound the same conversation elsewhere: the held binding stands.
        await otherEdge.SendAsync(PoolClient.Binding("thread-1", b));
        var afterConflict = await HeldBindingAsync("thread-1");
        // Once a cannot serve it any more, the conversation may move.
        await _edge.SendAsync(PoolClient.Of(PoolClient.Attempt(a, 429, "usage_limit_reached")));
        await otherEdge.SendAsync(PoolClient.Binding("thread-1", b));
        var moved = await HeldBindingAsync("thread-1");

        Assert.Equal(a, afterConflict);
        Assert.Equal(b, moved);
    }

    /// <summary>The account a conversation is bound to, as the whole view a newly connecting Edge gets says.</summary>
    private async Task<string?> HeldBindingAsync(string sessionKey)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _edge.Watch(timeout.Token);
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        return watch.ResponseStream.Current.SessionBindings.SingleOrDefault(binding => binding.SessionKey == sessionKey)?.AccountId;
    }

    private async Task<string> AddAsync(string email) =>
        (string)(await _stack.AddAccountAsync(TestTokens.For(email, expires: _time.GetUtcNow().AddDays(10))))["id"]!;

    private async Task<JsonObject> AccountJson(string id) =>
        (await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!.AsObject();
}
