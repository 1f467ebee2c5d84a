using System.Net;
using System.Net.Http.Json;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.OAuth;

public sealed class DeviceFlowTests
{
    [Fact]
    public async Task DeviceFlow_PendingThenApproved_CodeExchangesWithServerVerifier()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("dev@x.test");
        using var client = TestSim.Client(sim);

        using var start = await client.PostAsJsonAsync("api/accounts/deviceauth/usercode", new { client_id = FakeChatGptOptions.CodexClientId });
        var started = await OAuthClient.JsonAsync(start);
        var deviceAuthId = started.GetProperty("device_auth_id").GetString()!;
        var userCode = started.GetProperty("user_code").GetString()!;
        var poll = new { device_auth_id = deviceAuthId, user_code = userCode };
        using var pending = await client.PostAsJsonAsync("api/accounts/deviceauth/token", poll);
        Assert.True(sim.ApproveDeviceCode(userCode, account));
        using var approved = await client.PostAsJsonAsync("api/accounts/deviceauth/token", poll);
        var grant = await OAuthClient.JsonAsync(approved);
        using var exchange = await OAuthClient.ExchangeAsync(
            client, grant.GetProperty("authorization_code").GetString()!, grant.GetProperty("code_verifier").GetString()!, sim.IssuerUrl + "/deviceauth/callback");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal("5", started.GetProperty("interval").GetString());
        Assert.Equal(900, started.GetProperty("expires_in").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(Pkce.Challenge(grant.GetProperty("code_verifier").GetString()!), grant.GetProperty("code_challenge").GetString());
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var id = OAuthClient.JwtPayload((await OAuthClient.JsonAsync(exchange)).GetProperty("id_token").GetString()!);
        Assert.Equal("dev@x.test", id.GetProperty("email").GetString());
        Assert.Empty(sim.PendingDeviceUserCodes);
    }

    [Fact]
    public async Task DevicePage_SubmittingCodeAndEmail_ApprovesTheFlow()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("dev@x.test");
        using var client = TestSim.Client(sim);
        using var start = await client.PostAsJsonAsync("api/accounts/deviceauth/usercode", new { client_id = FakeChatGptOptions.CodexClientId });
        var started = await OAuthClient.JsonAsync(start);
        var userCode = started.GetProperty("user_code").GetString()!;

        using var page = await client.GetAsync("codex/device");
        using var submit = await client.PostAsync("codex/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user_code"] = userCode.ToLowerInvariant(),
            ["email"] = "dev@x.test",
        }));
        using var poll = await client.PostAsJsonAsync("api/accounts/deviceauth/token", new
        {
            device_auth_id = started.GetProperty("device_auth_id").GetString(),
            user_code = userCode,
        });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        Assert.Contains("Device approved", await submit.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
    }

    [Fact]
    public async Task DeviceFlow_AfterFifteenMinutes_ExpiresAndCannotBeApproved()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("dev@x.test");
        using var client = TestSim.Client(sim);
        using var start = await client.PostAsJsonAsync("api/accounts/deviceauth/usercode", new { client_id = FakeChatGptOptions.CodexClientId });
        var started = await OAuthClient.JsonAsync(start);

        sim.Clock().Advance(TimeSpan.FromMinutes(16));
        using var poll = await client.PostAsJsonAsync("api/accounts/deviceauth/token", new { device_auth_id = started.GetProperty("device_auth_id").GetString() });

        Assert.False(sim.ApproveDeviceCode(started.GetProperty("user_code").GetString()!, account));
        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
    }
}
