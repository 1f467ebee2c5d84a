using System.Net;
using System.Net.Http.Headers;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.OAuth;

public sealed class RefreshGrantTests
{
    [Fact]
    public async Task Refresh_JsonBodyWithRefreshReason_RotatesAndNewAccessTokenWorks()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        var body = await OAuthClient.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newRefresh = body.GetProperty("refresh_token").GetString();
        Assert.NotEqual(tokens.RefreshToken, newRefresh);
        Assert.NotEqual(tokens.AccessToken, body.GetProperty("access_token").GetString());
        Assert.True(body.TryGetProperty("id_token", out _));
        Assert.Equal(1, account.RefreshGrantCount);
        Assert.Equal(HttpStatusCode.OK, await UsageStatusAsync(client, body.GetProperty("access_token").GetString()!));
        Assert.Same(account, sim.Requests.ForPath("/oauth/token").Single().Account);
    }

    [Fact]
    public async Task Refresh_FormBodyWithScope_IsAccepted()
    {
        await using var sim = await TestSim.StartAsync();
        var tokens = sim.AddAccount("a@x.test").MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = FakeChatGptOptions.CodexClientId,
            ["refresh_token"] = tokens.RefreshToken,
            ["scope"] = "openid profile email",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Refresh_ReusedToken_Returns401RefreshTokenReused()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var first = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        using var replay = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        var body = await replay.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(
            "{\"error\":{\"message\":\"Your refresh token has already been used to generate a new access token. Please try signing in again.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"refresh_token_reused\"}}",
            body);
        Assert.Equal(2, account.RefreshGrantCount);
    }

    [Fact]
    public async Task Refresh_UnknownToken_Returns401RefreshTokenInvalidated()
    {
        await using var sim = await TestSim.StartAsync();
        using var client = TestSim.Client(sim);

        using var response = await OAuthClient.RefreshAsync(client, "rt_unknown");
        var body = await OAuthClient.JsonAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("refresh_token_invalidated", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Refresh_ConcurrentUseOfOneToken_ExactlyOneWins()
    {
        await using var sim = await TestSim.StartAsync();
        var tokens = sim.AddAccount("a@x.test").MintTokens();
        using var client = TestSim.Client(sim);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OAuthClient.RefreshAsync(client, tokens.RefreshToken)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Refresh_ScriptedExpired_IsPermanentForThatToken()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.FailNextRefresh(RefreshFailure.Expired);
        using var client = TestSim.Client(sim);

        using var first = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        using var again = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal("refresh_token_expired", (await OAuthClient.JsonAsync(first)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("refresh_token_expired", (await OAuthClient.JsonAsync(again)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Refresh_ScriptedInvalidRefreshToken_Answers401WithThatCode_Permanently()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.FailNextRefresh(RefreshFailure.InvalidRefreshToken);
        using var client = TestSim.Client(sim);

        using var first = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        using var again = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal("invalid_refresh_token", (await OAuthClient.JsonAsync(first)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Refresh_ScriptedSignedOutElsewhere_SaysSoInTheMessage_AndEndsTheGrant()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.FailNextRefresh(RefreshFailure.SignedOutElsewhere);
        using var client = TestSim.Client(sim);

        using var response = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        var error = (await OAuthClient.JsonAsync(response)).GetProperty("error");
        using var backend = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("logged out or signed in to another account", error.GetProperty("message").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, error.GetProperty("code").ValueKind);
        Assert.Equal(HttpStatusCode.Unauthorized, backend.StatusCode);
    }

    [Fact]
    public async Task Refresh_ScriptedServerError_IsTransient()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.FailNextRefresh(RefreshFailure.ServerError);
        using var client = TestSim.Client(sim);

        using var first = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);
        using var retry = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, account.RefreshGrantCount);
    }

    [Fact]
    public async Task RevokeTokens_InvalidatesAccessAndRefreshTokens()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        account.RevokeTokens();
        using var refresh = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal("refresh_token_invalidated", (await OAuthClient.JsonAsync(refresh)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await UsageStatusAsync(client, tokens.AccessToken));
    }

    [Fact]
    public async Task RevokeEndpoint_EndsTheGrant()
    {
        await using var sim = await TestSim.StartAsync();
        var tokens = sim.AddAccount("a@x.test").MintTokens();
        using var client = TestSim.Client(sim);

        using var revoke = await client.PostAsync("oauth/revoke", new StringContent(
            $$"""{"token":"{{tokens.RefreshToken}}","token_type_hint":"refresh_token","client_id":"{{FakeChatGptOptions.CodexClientId}}"}""",
            System.Text.Encoding.UTF8,
            "application/json"));
        using var refresh = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task ExpiredAccessToken_Answers401TokenExpired_UntilRefreshed()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens(TimeSpan.FromHours(1));
        using var client = TestSim.Client(sim);

        sim.Clock().Advance(TimeSpan.FromHours(2));
        using var request = new HttpRequestMessage(HttpMethod.Get, "backend-api/wham/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var expired = await client.SendAsync(request);
        using var refreshed = await OAuthClient.RefreshAsync(client, tokens.RefreshToken, "unauthorized_recovery");
        var newAccess = (await OAuthClient.JsonAsync(refreshed)).GetProperty("access_token").GetString()!;

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("token_expired", (await OAuthClient.JsonAsync(expired)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, await UsageStatusAsync(client, newAccess));
    }

    private static async Task<HttpStatusCode> UsageStatusAsync(HttpClient client, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "backend-api/wham/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
