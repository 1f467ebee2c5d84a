using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Control.Tokens;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>
/// Signing an account in again renews it in place (never a duplicate), keeps its settings, refuses a different
/// ChatGPT account, does not let older tokens overwrite newer ones, and export → import round-trips.
/// </summary>
public sealed class ReSignInTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(null, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task SignInAgain_OnAReauthRequiredAccount_RenewsItInPlaceAndKeepsItsSettings()
    {
        var (sim, id) = await _proxy.AddAccountAsync("again@example.com");
        (await _proxy.Stack.Admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { label = "Team seat", priority = 7 })).EnsureSuccessStatusCode();
        sim.FailNextRefresh(RefreshFailure.Reused);
        await _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>().RefreshAsync(id, "proactive_expiry");
        var broken = await _proxy.AccountAsync(id);

        var flow = await PostJson("/admin/oauth/start", new { email = "again@example.com", renewAccountId = id });
        var redirect = await IssuerBrowser.SignInAsync((string)flow["authorizeUrl"]!, "again@example.com");
        var renewed = await PostJson("/admin/oauth/complete", new { redirectUrl = redirect });
        var list = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");

        Assert.Equal("STATE_REAUTH_REQUIRED", (string?)broken["state"]);
        Assert.Equal(id, (string?)flow["renewAccountId"]);
        Assert.Equal(id, (string?)renewed["id"]);
        Assert.Single(list!["accounts"]!.AsArray());
        Assert.Equal("STATE_ACTIVE", (string?)renewed["state"]);
        Assert.Equal("Team seat", (string?)renewed["label"]);
        Assert.Equal(7, (int?)renewed["priority"]);
    }

    [Fact]
    public async Task SignInAgain_AsAnotherAccount_IsRefusedAndChangesNothing()
    {
        var (_, id) = await _proxy.AddAccountAsync("owner@example.com");
        _proxy.Upstream.AddAccount("other@example.com");

        var flow = await PostJson("/admin/oauth/start", new { renewAccountId = id });
        var redirect = await IssuerBrowser.SignInAsync((string)flow["authorizeUrl"]!, "other@example.com");
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");
        var list = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Signed in as other@example.com, but this sign-in renews owner@example.com", await response.Content.ReadAsStringAsync());
        Assert.Equal("STATE_FAILED", (string?)status!["state"]);
        Assert.Equal("owner@example.com", (string?)Assert.Single(list!["accounts"]!.AsArray())!["email"]);
    }

    [Fact]
    public async Task SignInAgain_ForAnUnknownAccount_Is404AndStartsNothing()
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/start", new { renewAccountId = "acc_nope" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("acc_nope", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignIn_OfAnAccountStoredWithoutUserId_RenewsItInsteadOfAddingASecond()
    {
        var accountId = Guid.NewGuid().ToString();
        var stored = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/accounts", new
        {
            tokens = new
            {
                accessToken = TestTokens.AccessTokenWithoutUserId("nouser@example.com", accountId, _time.GetUtcNow().AddDays(1)),
                refreshToken = "rt_stored",
            },
        });
        stored.EnsureSuccessStatusCode();
        _proxy.Upstream.AddAccount("nouser@example.com", chatGptAccountId: accountId);

        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await IssuerBrowser.SignInAsync((string)flow["authorizeUrl"]!, "nouser@example.com");
        var signedIn = await PostJson("/admin/oauth/complete", new { redirectUrl = redirect });
        var list = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");

        Assert.Equal((string?)(await stored.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"], (string?)signedIn["id"]);
        Assert.Single(list!["accounts"]!.AsArray());
    }

    [Fact]
    public async Task ImportingAnOlderAuthJson_KeepsTheNewerTokensAndSaysSo()
    {
        var sim = _proxy.Upstream.AddAccount("older@example.com");
        var older = sim.AuthJson(sim.MintTokens());
        _time.Advance(TimeSpan.FromHours(1));
        var newer = sim.MintTokens();
        var created = await PostJson("/admin/accounts", new { authJson = sim.AuthJson(newer) });
        var id = (string)created["account"]!["id"]!;

        var imported = await PostJson("/admin/accounts/import", new { authJsons = new[] { older } });
        var posted = await PostJson("/admin/accounts", new { authJson = older });
        var exported = JsonNode.Parse((string)(await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}/export"))!["authJson"]!)!;

        var result = imported["results"]![0]!;
        Assert.Equal(id, (string?)result["account"]!["id"]);
        Assert.True((bool?)result["tokensKept"]);
        Assert.False((bool?)result["created"] ?? false);
        Assert.True((bool?)posted["tokensKept"]);
        Assert.Equal(newer.RefreshToken, (string?)exported["tokens"]!["refresh_token"]);
    }

    [Fact]
    public async Task ImportingOlderTokens_IntoAnAccountThatNeedsReauth_TakesThem()
    {
        var sim = _proxy.Upstream.AddAccount("dead@example.com");
        var older = sim.MintTokens();
        _time.Advance(TimeSpan.FromHours(1));
        var id = (string)(await PostJson("/admin/accounts", new { authJson = sim.AuthJson(sim.MintTokens()) }))["account"]!["id"]!;
        sim.FailNextRefresh(RefreshFailure.Invalidated);
        await _proxy.Stack.Control.Services.GetRequiredService<TokenRefresher>().RefreshAsync(id, "proactive_expiry");

        var posted = await PostJson("/admin/accounts", new { authJson = sim.AuthJson(older) });

        Assert.False((bool?)posted["tokensKept"] ?? false);
        Assert.Equal("STATE_ACTIVE", (string?)posted["account"]!["state"]);
    }

    [Fact]
    public async Task Export_ThenImport_RoundTripsThroughTheApi()
    {
        var (_, id) = await _proxy.AddAccountAsync("trip@example.com");
        (await _proxy.Stack.Admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { label = "Trip" })).EnsureSuccessStatusCode();
        var export = await _proxy.Stack.Admin.GetStringAsync($"/admin/accounts/{id}/export");

        // The export answer is itself a valid create body, and also imports when passed as one file's text.
        var again = await _proxy.Stack.Admin.PostAsync("/admin/accounts", new StringContent(export, System.Text.Encoding.UTF8, "application/json"));
        var againBody = await again.Content.ReadFromJsonAsync<JsonObject>();
        (await _proxy.Stack.Admin.DeleteAsync($"/admin/accounts/{id}")).EnsureSuccessStatusCode();
        var imported = await PostJson("/admin/accounts/import", new { authJsons = new[] { export } });

        Assert.True(again.IsSuccessStatusCode, againBody?.ToJsonString());
        Assert.Equal(id, (string?)againBody!["account"]!["id"]);
        Assert.Equal("Trip", (string?)againBody["account"]!["label"]);
        var result = imported["results"]![0]!;
        Assert.True((bool?)result["created"], result.ToJsonString());
        Assert.Equal("trip@example.com", (string?)result["account"]!["email"]);
    }

    private async Task<JsonObject> PostJson(string path, object body)
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
