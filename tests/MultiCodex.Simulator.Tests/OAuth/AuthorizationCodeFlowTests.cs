using System.Net;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.OAuth;

public sealed class AuthorizationCodeFlowTests
{
    [Fact]
    public async Task Authorize_WithLoginHint_RedirectsAtOnceWithCodeAndState()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);

        using var response = await client.GetAsync(OAuthClient.AuthorizeUrl(Pkce.Challenge(Pkce.NewVerifier()), state: "s1", loginHint: "a@x.test"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(OAuthClient.RedirectUri + "?", response.Headers.Location!.ToString());
        var query = OAuthClient.RedirectQuery(response);
        Assert.Equal("s1", query["state"]);
        Assert.False(string.IsNullOrEmpty(query["code"]));
    }

    [Fact]
    public async Task Authorize_WithoutHint_RendersSignInPagePrefilledWithFirstAccount()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("first@x.test");
        sim.AddAccount("second@x.test");
        using var client = TestSim.Client(sim);

        using var response = await client.GetAsync(OAuthClient.AuthorizeUrl(Pkce.Challenge(Pkce.NewVerifier())));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("value=\"first@x.test\"", html);
        Assert.Contains(">Sign in</button>", html);
        Assert.Contains(">Deny</button>", html);
    }

    [Fact]
    public async Task SignInForm_ApproveAndDeny_RedirectWithCodeOrAccessDenied()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        Dictionary<string, string> Form(string action) => new()
        {
            ["response_type"] = "code",
            ["client_id"] = FakeChatGptOptions.CodexClientId,
            ["redirect_uri"] = OAuthClient.RedirectUri,
            ["code_challenge"] = Pkce.Challenge(Pkce.NewVerifier()),
            ["code_challenge_method"] = "S256",
            ["state"] = "s2",
            ["email"] = "a@x.test",
            ["action"] = action,
        };

        using var approved = await client.PostAsync("oauth/authorize", new FormUrlEncodedContent(Form("approve")));
        using var denied = await client.PostAsync("oauth/authorize", new FormUrlEncodedContent(Form("deny")));

        Assert.Equal(HttpStatusCode.Found, approved.StatusCode);
        Assert.True(OAuthClient.RedirectQuery(approved).ContainsKey("code"));
        Assert.Equal(HttpStatusCode.Found, denied.StatusCode);
        var deniedQuery = OAuthClient.RedirectQuery(denied);
        Assert.Equal("access_denied", deniedQuery["error"]);
        Assert.Equal("s2", deniedQuery["state"]);
        Assert.False(deniedQuery.ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_AutoApproveEmail_RedirectsWithoutHint()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("auto@x.test");
        sim.AutoApproveEmail = "auto@x.test";
        using var client = TestSim.Client(sim);

        using var response = await client.GetAsync(OAuthClient.AuthorizeUrl(Pkce.Challenge(Pkce.NewVerifier())));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(OAuthClient.RedirectQuery(response).ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_AccountWithoutCodexEntitlement_RedirectsMissingCodexEntitlement()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("nocodex@x.test").HasCodexEntitlement = false;
        using var client = TestSim.Client(sim);

        using var response = await client.GetAsync(OAuthClient.AuthorizeUrl(Pkce.Challenge(Pkce.NewVerifier()), loginHint: "nocodex@x.test"));

        var query = OAuthClient.RedirectQuery(response);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("missing_codex_entitlement", query["error_description"]);
    }

    [Fact]
    public async Task Authorize_BadParameters_AreRejected()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        var challenge = Pkce.Challenge(Pkce.NewVerifier());

        using var foreignRedirect = await client.GetAsync(OAuthClient.AuthorizeUrl(challenge, loginHint: "a@x.test", redirectUri: "http://evil.test/cb"));
        using var plainMethod = await client.GetAsync(OAuthClient.AuthorizeUrl(challenge, loginHint: "a@x.test", method: "plain"));
        using var secondPort = await client.GetAsync(OAuthClient.AuthorizeUrl(challenge, loginHint: "a@x.test", redirectUri: "http://localhost:1457/auth/callback"));

        Assert.Equal(HttpStatusCode.BadRequest, foreignRedirect.StatusCode);
        Assert.Null(foreignRedirect.Headers.Location);
        Assert.Equal("invalid_request", OAuthClient.RedirectQuery(plainMethod)["error"]);
        Assert.True(OAuthClient.RedirectQuery(secondPort).ContainsKey("code"));
    }

    [Fact]
    public async Task CodeExchange_RightVerifier_ReturnsTokensWithRealClaims()
    {
        await using var sim = await TestSim.StartAsync();
        var time = sim.Clock();
        var account = sim.AddAccount("a@x.test", "pro");
        using var client = TestSim.Client(sim);
        var verifier = Pkce.NewVerifier();
        var code = await OAuthClient.AuthorizeAsync(client, "a@x.test", verifier);

        using var response = await OAuthClient.ExchangeAsync(client, code, verifier);
        var body = await OAuthClient.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(864000, body.GetProperty("expires_in").GetInt64());
        var id = OAuthClient.JwtPayload(body.GetProperty("id_token").GetString()!);
        Assert.Equal("a@x.test", id.GetProperty("email").GetString());
        Assert.Equal("https://auth.openai.com", id.GetProperty("iss").GetString());
        var auth = id.GetProperty("https://api.openai.com/auth");
        Assert.Equal(account.ChatGptAccountId, auth.GetProperty("chatgpt_account_id").GetString());
        Assert.Equal("pro", auth.GetProperty("chatgpt_plan_type").GetString());
        Assert.Equal(account.UserId, auth.GetProperty("chatgpt_user_id").GetString());
        Assert.Equal(account.UserId, auth.GetProperty("user_id").GetString());
        Assert.True(auth.GetProperty("organizations")[0].GetProperty("is_default").GetBoolean());
        Assert.Equal("a@x.test", id.GetProperty("https://api.openai.com/profile").GetProperty("email").GetString());
        var access = OAuthClient.JwtPayload(body.GetProperty("access_token").GetString()!);
        Assert.Equal(time.GetUtcNow().AddDays(10).ToUnixTimeSeconds(), access.GetProperty("exp").GetInt64());
        Assert.Equal(account.ChatGptAccountId, access.GetProperty("https://api.openai.com/auth").GetProperty("chatgpt_account_id").GetString());
        Assert.Equal(1, account.AuthorizationCodeGrantCount);
    }

    [Fact]
    public async Task CodeExchange_WrongVerifier_IsRejected()
    {
        await using var sim = await TestSim.StartAsync();
        sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        var code = await OAuthClient.AuthorizeAsync(client, "a@x.test", Pkce.NewVerifier());

        using var response = await OAuthClient.ExchangeAsync(client, code, Pkce.NewVerifier());
        var body = await OAuthClient.JsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task CodeExchange_SecondUseOfCode_IsRejected()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        var verifier = Pkce.NewVerifier();
        var code = await OAuthClient.AuthorizeAsync(client, "a@x.test", verifier);

        using var first = await OAuthClient.ExchangeAsync(client, code, verifier);
        using var second = await OAuthClient.ExchangeAsync(client, code, verifier);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(1, account.AuthorizationCodeGrantCount);
    }

    [Fact]
    public async Task CodeExchange_ExpiredCodeOrOtherRedirectUri_IsRejected()
    {
        await using var sim = await TestSim.StartAsync();
        var time = sim.Clock();
        sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        var verifier = Pkce.NewVerifier();
        var expiring = await OAuthClient.AuthorizeAsync(client, "a@x.test", verifier);
        var otherRedirect = await OAuthClient.AuthorizeAsync(client, "a@x.test", verifier);

        using var wrongRedirect = await OAuthClient.ExchangeAsync(client, otherRedirect, verifier, "http://localhost:1457/auth/callback");
        time.Advance(TimeSpan.FromMinutes(6));
        using var expired = await OAuthClient.ExchangeAsync(client, expiring, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, wrongRedirect.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
    }

    [Fact]
    public async Task TokenExchange_ForApiKey_ReturnsFakeKey()
    {
        await using var sim = await TestSim.StartAsync();
        var tokens = sim.AddAccount("a@x.test").MintTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["client_id"] = FakeChatGptOptions.CodexClientId,
            ["requested_token"] = "openai-api-key",
            ["subject_token"] = tokens.IdToken,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:id_token",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("sk-", (await OAuthClient.JsonAsync(response)).GetProperty("access_token").GetString());
    }
}
