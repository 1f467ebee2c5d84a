using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

public sealed class UsageAndCatalogTests
{
    [Fact]
    public async Task WhamUsage_HasTheRealShape_FromTheScriptedState()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test", "team");
        account.SetPrimaryUsage(7.4, TestSim.Epoch.AddSeconds(4851));
        account.SetSecondaryUsage(2);
        account.CreditsBalance = "9.99";

        var body = await GetJsonAsync(sim, account, "backend-api/wham/usage");

        Assert.Equal(account.UserId, body.GetProperty("user_id").GetString());
        Assert.Equal(account.ChatGptAccountId, body.GetProperty("account_id").GetString());
        Assert.Equal("a@x.test", body.GetProperty("email").GetString());
        Assert.Equal("team", body.GetProperty("plan_type").GetString());
        var rateLimit = body.GetProperty("rate_limit");
        Assert.True(rateLimit.GetProperty("allowed").GetBoolean());
        Assert.False(rateLimit.GetProperty("limit_reached").GetBoolean());
        var primary = rateLimit.GetProperty("primary_window");
        Assert.Equal(7, primary.GetProperty("used_percent").GetInt32());
        Assert.Equal(18000, primary.GetProperty("limit_window_seconds").GetInt32());
        Assert.Equal(4851, primary.GetProperty("reset_after_seconds").GetInt64());
        Assert.Equal(TestSim.Epoch.AddSeconds(4851).ToUnixTimeSeconds(), primary.GetProperty("reset_at").GetInt64());
        Assert.Equal(604800, rateLimit.GetProperty("secondary_window").GetProperty("limit_window_seconds").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("code_review_rate_limit").GetProperty("secondary_window").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("additional_rate_limits").ValueKind);
        Assert.Equal("9.99", body.GetProperty("credits").GetProperty("balance").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("promo").ValueKind);
        Assert.Equal(1, account.UsageRequestCount);
    }

    [Fact]
    public async Task WhamUsage_WeeklyOnlyFreePlan_HasWeeklyPrimaryAndNoSecondary()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("free@x.test", "free");
        account.WeeklyOnlyPrimary = true;
        account.SetPrimaryUsage(100);

        var body = await GetJsonAsync(sim, account, "backend-api/wham/usage");

        var rateLimit = body.GetProperty("rate_limit");
        Assert.Equal(604800, rateLimit.GetProperty("primary_window").GetProperty("limit_window_seconds").GetInt32());
        Assert.Equal(JsonValueKind.Null, rateLimit.GetProperty("secondary_window").ValueKind);
        Assert.True(rateLimit.GetProperty("limit_reached").GetBoolean());
        Assert.False(rateLimit.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task AccountsCheck_NamesTheAccountWithNoConstraint()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");

        var body = await GetJsonAsync(sim, account, "backend-api/wham/accounts/check");

        var entry = Assert.Single(body.GetProperty("accounts").EnumerateArray());
        Assert.Equal(account.ChatGptAccountId, entry.GetProperty("id").GetString());
        Assert.Equal("NO_CONSTRAINT", entry.GetProperty("workspace_backend_origin").GetString());
        Assert.Equal(account.ChatGptAccountId, body.GetProperty("default_account_id").GetString());
    }

    [Fact]
    public async Task Models_ReturnsCatalogWithEtag_And304WhenUnchanged()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var first = await client.SendAsync(Get("backend-api/codex/models?client_version=0.169.0", tokens));
        var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        using var again = Get("backend-api/codex/models?client_version=0.169.0", tokens);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(sim.Options.ModelsEtag, first.Headers.ETag!.ToString());
        var model = body.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("slug").GetString() == "gpt-5.5");
        Assert.True(model.GetProperty("prefer_websockets").GetBoolean());
        Assert.False(string.IsNullOrEmpty(model.GetProperty("model_messages").GetProperty("instructions_template").GetString()));
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task UnknownBackendPath_Answers404Json()
    {
        await using var sim = await TestSim.StartAsync();
        using var client = TestSim.Client(sim);

        using var response = await client.GetAsync("backend-api/ps/plugins/installed?limit=200");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task TlsListener_ServesTheSameApp_WithACertificateChainingToTheCa()
    {
        await using var sim = await TestSim.StartAsync(o => o.EnableTls = true);
        var account = sim.AddAccount("a@x.test");
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(sim.CaCertificatePath!));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate!));
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(sim.TlsBaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };

        using var response = await client.SendAsync(Get("backend-api/wham/accounts/check", account.MintTokens()));

        Assert.StartsWith("https://127.0.0.1:", sim.TlsBaseUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(sim.Requests.ForPath("/backend-api/wham/accounts/check").Single().IsTls);
    }

    private static async Task<JsonElement> GetJsonAsync(FakeChatGpt sim, SimAccount account, string path)
    {
        using var client = TestSim.Client(sim);
        using var response = await client.SendAsync(Get(path, account.MintTokens()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static HttpRequestMessage Get(string path, TokenSet tokens)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return request;
    }
}
