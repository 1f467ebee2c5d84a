using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>Pins every /admin/accounts route of README.md's admin API through the front door (REST over HTTP/1.1).</summary>
public sealed class AdminRestRouteTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task ListAccounts_AfterCreate_ReturnsAccountWithIdentityAndNoTokens()
    {
        var tokens = TestTokens.For("ada@example.com", plan: "pro");
        await _stack.AddAccountAsync(tokens);

        var response = await _stack.Admin.GetAsync("/admin/accounts");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var account = Assert.Single(JsonNode.Parse(text)!["accounts"]!.AsArray())!;
        Assert.Equal("ada@example.com", (string?)account["email"]);
        Assert.Equal("ada@example.com", (string?)account["label"]);
        Assert.Equal("pro", (string?)account["planType"]);
        Assert.Equal(tokens.ChatGptAccountId, (string?)account["chatgptAccountId"]);
        Assert.Equal("STATE_ACTIVE", (string?)account["state"]);
        Assert.True((bool?)account["enabled"]);
        AssertNoSecrets(text, tokens);
    }

    [Fact]
    public async Task GetAccount_KnownId_ReturnsIt()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("grace@example.com"));

        var body = await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{created["id"]}");

        Assert.Equal("grace@example.com", (string?)body!["account"]!["email"]);
    }

    [Fact]
    public async Task CreateAccount_SameSignInTwice_UpdatesInsteadOfDuplicating()
    {
        var first = TestTokens.For("lin@example.com");
        var again = TestTokens.For("lin@example.com", accountId: first.ChatGptAccountId, userId: first.UserId);

        var created = await PostJson("/admin/accounts", new { tokens = Tokens(first), label = "Lin", priority = 3 });
        var updated = await PostJson("/admin/accounts", new { tokens = Tokens(again) });

        Assert.True((bool?)created["created"]);
        Assert.False((bool?)updated["created"] ?? false);
        Assert.Equal((string?)created["account"]!["id"], (string?)updated["account"]!["id"]);
        Assert.Equal("Lin", (string?)updated["account"]!["label"]);
        Assert.Equal(3, (int?)updated["account"]!["priority"]);
        var exported = await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{created["account"]!["id"]}/export");
        Assert.Contains(again.RefreshToken, (string?)exported!["authJson"]);
    }

    [Fact]
    public async Task CreateAccount_FromAuthJson_ReadsIdentity()
    {
        var tokens = TestTokens.For("joan@example.com", plan: "team");

        var body = await PostJson("/admin/accounts", new { authJson = TestTokens.AuthJson(tokens) });

        Assert.Equal("joan@example.com", (string?)body["account"]!["email"]);
        Assert.Equal("team", (string?)body["account"]!["planType"]);
        AssertNoSecrets(body.ToJsonString(), tokens);
    }

    [Fact]
    public async Task ImportAccounts_MixedFiles_ImportsValidOnesAndExplainsTheRest()
    {
        var a = TestTokens.For("a@example.com");
        var b = TestTokens.For("b@example.com");

        var body = await PostJson("/admin/accounts/import", new { authJsons = new[] { TestTokens.AuthJson(a), "{\"tokens\":{}}", TestTokens.AuthJson(b) } });

        var results = body["results"]!.AsArray();
        Assert.Equal(3, results.Count);
        Assert.Equal("a@example.com", (string?)results[0]!["account"]!["email"]);
        Assert.Contains("access_token", (string?)results[1]!["error"]);
        Assert.Equal("b@example.com", (string?)results[2]!["account"]!["email"]);
        var list = await _stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");
        Assert.Equal(2, list!["accounts"]!.AsArray().Count);
    }

    [Fact]
    public async Task ExportAccount_ReturnsAuthJsonTheImportAccepts()
    {
        var tokens = TestTokens.For("kay@example.com");
        var created = await _stack.AddAccountAsync(tokens);

        var body = await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{created["id"]}/export");

        var file = JsonNode.Parse((string)body!["authJson"]!)!;
        Assert.Equal(tokens.AccessToken, (string?)file["tokens"]!["access_token"]);
        Assert.Equal(tokens.RefreshToken, (string?)file["tokens"]!["refresh_token"]);
        Assert.Equal(tokens.IdToken, (string?)file["tokens"]!["id_token"]);
        Assert.Equal(tokens.ChatGptAccountId, (string?)file["tokens"]!["account_id"]);
        Assert.Equal("chatgpt", (string?)file["auth_mode"]);
    }

    [Fact]
    public async Task UpdateAccount_WithoutMask_ChangesOnlyTheFieldsInTheBody()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("max@example.com"));

        var response = await _stack.Admin.PatchAsJsonAsync($"/admin/accounts/{created["id"]}", new { label = "Max (work)" });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Max (work)", (string?)body!["account"]!["label"]);
        Assert.Equal(0, (int?)body["account"]!["priority"]);
        Assert.True((bool?)body["account"]!["enabled"]);
    }

    [Fact]
    public async Task UpdateAccount_WithMask_IgnoresFieldsOutsideTheMask()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("eve@example.com"));

        var response = await _stack.Admin.PatchAsJsonAsync($"/admin/accounts/{created["id"]}?updateMask=priority,enabled",
            new { label = "ignored", priority = 7, enabled = false });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eve@example.com", (string?)body!["account"]!["label"]);
        Assert.Equal(7, (int?)body["account"]!["priority"]);
        Assert.Equal("STATE_DISABLED", (string?)body["account"]!["state"]);
    }

    [Fact]
    public async Task UpdateAccount_OutputOnlyField_IsRejected()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("sam@example.com"));

        var response = await _stack.Admin.PatchAsJsonAsync($"/admin/accounts/{created["id"]}?updateMask=email", new { email = "x@example.com" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("email", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeleteAccount_RemovesIt()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("del@example.com"));

        var deleted = await _stack.Admin.DeleteAsync($"/admin/accounts/{created["id"]}");
        var again = await _stack.Admin.GetAsync($"/admin/accounts/{created["id"]}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task UnblockAccount_EmptyBody_IsIdempotentOnAnUnblockedAccount()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("ub@example.com"));

        var response = await _stack.Admin.PostAsync($"/admin/accounts/{created["id"]}/unblock", null);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("STATE_ACTIVE", (string?)body!["account"]!["state"]);
    }

    [Fact]
    public async Task WatchAccounts_OverRest_StreamsNewlineDelimitedJson()
    {
        await _stack.AddAccountAsync(TestTokens.For("ndjson@example.com"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await _stack.Admin.GetAsync("/admin/accounts/watch", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;

        Assert.Equal("ndjson@example.com", (string?)first["accounts"]![0]!["email"]);
    }

    [Fact]
    public async Task UsageHistoryAndRequests_ListWhatAnOutcomeReported()
    {
        var id = (string)(await _stack.AddAccountAsync(TestTokens.For("history@example.com")))["id"]!;
        await new Leases.PoolClient(_stack.Control.Channel).SendAsync(Leases.PoolClient.Of(Leases.PoolClient.Attempt(id, 200, clientName: "laptop",
            inputTokens: 12, outputTokens: 3, headers: new Dictionary<string, string>
            {
                ["x-codex-primary-used-percent"] = "42",
                ["x-codex-primary-window-minutes"] = "300",
                ["x-codex-secondary-used-percent"] = "7",
                ["x-codex-secondary-window-minutes"] = "10080",
            })));

        var samples = (await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/usage/history?accountId={id}"))!["samples"]!.AsArray();
        var requests = (await _stack.Admin.GetFromJsonAsync<JsonObject>("/admin/requests?pageSize=5"))!["requests"]!.AsArray();

        var sample = Assert.Single(samples)!;
        Assert.Equal(42, (double?)sample["fiveHourUsedPercent"]);
        Assert.Equal(7, (double?)sample["weeklyUsedPercent"]);
        var request = Assert.Single(requests)!;
        Assert.Equal(id, (string?)request["accountId"]);
        Assert.Equal("laptop", (string?)request["clientName"]);
        Assert.Equal(200, (int?)request["statusCode"]);
        Assert.Equal("12", (string?)request["inputTokens"]);
    }

    [Fact]
    public async Task CurlStyleFormContentType_IsReadAsJson()
    {
        var created = await _stack.AddAccountAsync(TestTokens.For("curl@example.com"));

        // What `curl -XPATCH -d '{"priority":5}'` sends: a JSON body labelled as form data.
        var response = await _stack.Admin.PatchAsync($"/admin/accounts/{created["id"]}",
            new StringContent("{\"priority\":5}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, (int?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["priority"]);
    }

    private async Task<JsonObject> PostJson(string path, object body)
    {
        var response = await _stack.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static object Tokens(TestTokens.Set t) => new { accessToken = t.AccessToken, refreshToken = t.RefreshToken, idToken = t.IdToken };

    private static void AssertNoSecrets(string text, TestTokens.Set tokens)
    {
        Assert.DoesNotContain(tokens.AccessToken, text);
        Assert.DoesNotContain(tokens.RefreshToken, text);
        Assert.DoesNotContain(tokens.IdToken, text);
    }
}
