using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.Tokens;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>Refresh tokens are single-use upstream: one refresh at a time, on disk before use, never replayed.</summary>
public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private readonly TimerAwareClock _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(null, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task HundredConcurrentRefreshTriggers_SendExactlyOneRefreshGrant()
    {
        var (sim, id) = await ImportAsync("burst@example.com");
        var refresher = _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>();
        var stale = ReadAccountsFile()[0]!["tokens"]!["accessToken"]!.GetValue<string>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => refresher.RefreshAsync(id, "unauthorized_recovery", stale))));

        Assert.Equal(1, sim.RefreshGrantCount);
        Assert.All(outcomes, o => Assert.True(o.HasUsableToken));
        Assert.Single(outcomes.Select(o => o.Account!.Tokens.AccessToken).Distinct());
    }

    [Fact]
    public async Task RotatedRefreshToken_IsOnDiskAndUsedAfterARestart_NeverReplayed()
    {
        var (sim, id) = await ImportAsync("rotate@example.com");
        var original = ReadAccountsFile()[0]!["tokens"]!["refreshToken"]!.GetValue<string>();

        var first = await _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>().RefreshAsync(id, "proactive_expiry");
        var onDisk = ReadAccountsFile()[0]!["tokens"]!["refreshToken"]!.GetValue<string>();
        await using var restarted = await ControlHost.StartAsync(_proxy.Stack.Data.Path, Stack.AdminToken, Stack.UpstreamSettings(_proxy.Upstream), _time);
        var second = await restarted.Services.GetRequiredService<TokenRefresher>().RefreshAsync(id, "proactive_expiry");

        Assert.Equal(RefreshStatus.Refreshed, first.Status);
        Assert.NotEqual(original, onDisk);
        Assert.Equal(first.Account!.Tokens.RefreshToken, onDisk);
        // A replay of a rotated token would have answered refresh_token_reused and marked the account.
        Assert.Equal(RefreshStatus.Refreshed, second.Status);
        Assert.Equal(2, sim.RefreshGrantCount);
    }

    [Theory]
    [InlineData(RefreshFailure.Reused, "refresh_token_reused")]
    [InlineData(RefreshFailure.Expired, "refresh_token_expired")]
    [InlineData(RefreshFailure.Invalidated, "refresh_token_invalidated")]
    [InlineData(RefreshFailure.InvalidGrant, "invalid_grant")]
    [InlineData(RefreshFailure.InvalidRefreshToken, "invalid_refresh_token")]
    [InlineData(RefreshFailure.SignedOutElsewhere, "signed_out_elsewhere")]
    public async Task PermanentRefusal_MarksReauthRequired_KeepsTheAccount_AndStopsCallingTheIssuer(RefreshFailure failure, string reason)
    {
        var (sim, id) = await ImportAsync("perm@example.com");
        sim.FailNextRefresh(failure);
        var refresher = _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>();

        var outcome = await refresher.RefreshAsync(id, "proactive_expiry");
        var again = await refresher.RefreshAsync(id, "proactive_expiry");
        var account = (await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!;

        Assert.Equal(RefreshStatus.ReauthRequired, outcome.Status);
        Assert.Equal(RefreshStatus.ReauthRequired, again.Status);
        Assert.Equal(1, sim.RefreshGrantCount);
        Assert.Equal("STATE_REAUTH_REQUIRED", (string?)account["state"]);
        Assert.Equal(reason, (string?)account["reauthReason"]);
    }

    [Fact]
    public async Task TransientFailure_KeepsTheAccountActiveAndBacksOff()
    {
        var (sim, id) = await ImportAsync("transient@example.com", accessLifetime: TimeSpan.FromMinutes(1));
        sim.FailNextRefresh(RefreshFailure.ServerError);
        var refresher = _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>();

        var outcome = await refresher.RefreshAsync(id, "proactive_expiry");
        var account = _proxy.Stack.Control.Services.GetRequiredService<MultiCodex.Control.Accounts.AccountStore>().Find(id)!;

        Assert.Equal(RefreshStatus.TransientFailure, outcome.Status);
        Assert.Null(account.ReauthReason);
        Assert.False(refresher.IsDue(account, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(refresher.IsDue(account, _time.GetUtcNow()));
    }

    [Fact]
    public async Task TokenAboutToExpire_IsRefreshedProactivelyByTheWorker()
    {
        var (sim, id) = await ImportAsync("soon@example.com", accessLifetime: TimeSpan.FromMinutes(4));
        var store = _proxy.Stack.Control.Services.GetRequiredService<MultiCodex.Control.Accounts.AccountStore>();
        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Changed += accounts => { if (sim.RefreshGrantCount > 0) { refreshed.TrySetResult(); } };

        // The worker ticks every 30 s of (fake) time; a token expiring within 5 minutes is due. Its timer is armed
        // on the hosted service's own thread, so the clock moves only once it exists.
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(30), armedBy: typeof(ProactiveRefreshWorker));
        _time.Advance(TimeSpan.FromSeconds(30));
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, sim.RefreshGrantCount);
        Assert.True(store.Find(id)!.Tokens.AccessTokenExpiresAt > _time.GetUtcNow().AddDays(1));
    }

    private async Task<(SimAccount Sim, string Id)> ImportAsync(string email, TimeSpan? accessLifetime = null)
    {
        var sim = _proxy.Upstream.AddAccount(email);
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = sim.AuthJson(sim.MintTokens(accessLifetime)) });
        response.EnsureSuccessStatusCode();
        return (sim, (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!);
    }

    private JsonArray ReadAccountsFile() =>
        JsonNode.Parse(File.ReadAllText(_proxy.Stack.Data.File("accounts.json")))!["accounts"]!.AsArray();
}
