using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.OAuth;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>The browser and device sign-ins of the dashboard workflow, through the front door, against the fake issuer.</summary>
public sealed class OAuthFlowTests : IAsyncLifetime
{
    private readonly TimerAwareClock _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(null, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task BrowserFlow_StartSignInPasteComplete_StoresTheAccount()
    {
        _proxy.Upstream.AddAccount("ada@example.com", plan: "pro");

        var flow = await PostJson("/admin/oauth/start", new { email = "ada@example.com" });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "ada@example.com");
        var pending = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");
        var account = await PostJson("/admin/oauth/complete", new { redirectUrl = redirect });
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");

        Assert.Equal("STATE_PENDING", (string?)pending!["state"]);
        Assert.Equal("ada@example.com", (string?)account["email"]);
        Assert.Equal("pro", (string?)account["planType"]);
        Assert.Equal("STATE_COMPLETED", (string?)status!["state"]);
        Assert.Equal((string?)account["id"], (string?)status["account"]!["id"]);
        Assert.Equal(1, _proxy.Upstream.FindAccount("ada@example.com")!.AuthorizationCodeGrantCount);
    }

    [Fact]
    public async Task AuthorizeUrl_CarriesEveryParameterTheCodexCliSends()
    {
        var flow = await PostJson("/admin/oauth/start", new { });
        var url = new Uri((string)flow["authorizeUrl"]!);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query);

        Assert.Equal(_proxy.Upstream.IssuerUrl + "/oauth/authorize", url.GetLeftPart(UriPartial.Path));
        Assert.Equal(
            ["response_type", "client_id", "redirect_uri", "scope", "code_challenge", "code_challenge_method", "id_token_add_organizations",
             "codex_cli_simplified_flow", "state", "originator"],
            query.Keys);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("app_EMoamEEZ73f0CkXaXp7hrann", query["client_id"]);
        Assert.Equal("http://localhost:1455/auth/callback", query["redirect_uri"]);
        Assert.Equal("openid profile email offline_access", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Equal("true", query["id_token_add_organizations"]);
        Assert.Equal("true", query["codex_cli_simplified_flow"]);
        Assert.Equal(43, query["state"].ToString().Length);
    }

    [Fact]
    public async Task SameAccountSignedInTwice_UpdatesTheExistingAccount()
    {
        _proxy.Upstream.AddAccount("twice@example.com");

        var first = await SignInAsync("twice@example.com");
        var second = await SignInAsync("twice@example.com");
        var list = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");

        Assert.Equal((string?)first["id"], (string?)second["id"]);
        Assert.Single(list!["accounts"]!.AsArray());
    }

    [Fact]
    public async Task CompletingTwice_RefusesTheReplay()
    {
        _proxy.Upstream.AddAccount("replay@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "replay@example.com");

        (await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect })).EnsureSuccessStatusCode();
        var replay = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already completed", await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, _proxy.Upstream.FindAccount("replay@example.com")!.AuthorizationCodeGrantCount);
    }

    [Fact]
    public async Task WrongState_IsRefusedAndTheFlowStaysPending()
    {
        _proxy.Upstream.AddAccount("state@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var other = await PostJson("/admin/oauth/start", new { });
        var redirect = await SignInAtIssuerAsync((string)other["authorizeUrl"]!, "state@example.com");

        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { flowId = (string)flow["flowId"]!, redirectUrl = redirect });
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("State mismatch", await response.Content.ReadAsStringAsync());
        Assert.Equal("STATE_PENDING", (string?)status!["state"]);
    }

    [Fact]
    public async Task ExpiredFlow_ReportsExpiredAndCannotBeCompleted()
    {
        _proxy.Upstream.AddAccount("late@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "late@example.com");

        _time.Advance(TimeSpan.FromMinutes(16));
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });

        Assert.Equal("STATE_EXPIRED", (string?)status!["state"]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MissingCodexEntitlement_FailsTheFlowWithAClearReason()
    {
        var account = _proxy.Upstream.AddAccount("noentitlement@example.com");
        account.HasCodexEntitlement = false;
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "noentitlement@example.com");

        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");

        Assert.Contains("access_denied", redirect);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("STATE_FAILED", (string?)status!["state"]);
        Assert.Contains("Codex is not enabled", (string?)status["error"]);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://localhost:1455/auth/callback")]
    public async Task GarbagePasted_IsRefusedWithAHint(string pasted)
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = pasted });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("full URL", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownFlow_Is404()
    {
        var response = await _proxy.Stack.Admin.GetAsync("/admin/oauth/status/flow_nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task PendingFlow_SurvivesAControlRestart()
    {
        _proxy.Upstream.AddAccount("restart@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "restart@example.com");

        await using var control = await ControlHost.StartAsync(_proxy.Stack.Data.Path, Stack.AdminToken, Stack.UpstreamSettings(_proxy.Upstream), _time);
        await _proxy.Stack.Control.DisposeAsync();
        await using var edge = await EdgeHost.StartAsync(control.Url);
        using var admin = new HttpClient { BaseAddress = edge.Url };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var completed = await admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });

        Assert.True(completed.IsSuccessStatusCode, await completed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeviceFlow_CompletesByItselfOnceTheUserApproves()
    {
        var account = _proxy.Upstream.AddAccount("device@example.com", plan: "team");
        var flows = _proxy.Stack.Control.Services.GetRequiredService<OAuthFlowStore>();
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flows.Changed += () => { if (flows.All.Any(f => f.Status == FlowStatus.Completed)) { completed.TrySetResult(); } };

        var flow = await PostJson("/admin/oauth/device/start", new { email = "device@example.com" });
        // The poller ticks every second of fake time (its timer armed on its own thread, so wait for it) and asks the
        // issuer at the interval it named (5 s): the first 6 s poll finds the code not yet approved, and the poll
        // after the next 6 s (or that first one, if it comes late) finds the approval.
        await _time.WaitForTimerAsync(armedBy: typeof(DeviceFlowPoller));
        _time.Advance(TimeSpan.FromSeconds(6));
        var stillPending = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");
        Assert.True(_proxy.Upstream.ApproveDeviceCode((string)flow["userCode"]!, account));
        _time.Advance(TimeSpan.FromSeconds(6));
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var done = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{flow["flowId"]}");

        Assert.Equal("STATE_PENDING", (string?)stillPending!["state"]);
        Assert.Equal(_proxy.Upstream.IssuerUrl + "/codex/device", (string?)flow["verificationUrl"]);
        Assert.Equal("STATE_COMPLETED", (string?)done!["state"]);
        Assert.Equal("device@example.com", (string?)done["account"]!["email"]);
        Assert.Equal("team", (string?)done["account"]!["planType"]);
    }

    private async Task<JsonObject> SignInAsync(string email)
    {
        var flow = await PostJson("/admin/oauth/start", new { email });
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, email);
        return await PostJson("/admin/oauth/complete", new { flowId = (string)flow["flowId"]!, redirectUrl = redirect });
    }

    private static Task<string> SignInAtIssuerAsync(string authorizeUrl, string email) => IssuerBrowser.SignInAsync(authorizeUrl, email);

    private async Task<JsonObject> PostJson(string path, object body)
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
