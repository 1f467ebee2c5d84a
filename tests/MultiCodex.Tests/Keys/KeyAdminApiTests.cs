using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Keys;

/// <summary>
/// A key's limits through the admin REST routes (transcoded ApiKeyService): set on create, read back, changed with
/// update-mask semantics, and every bad value a clear 400 that changes nothing — across a restart of Control too.
/// </summary>
public sealed class KeyAdminApiTests : IAsyncLifetime
{
    private Stack _stack = null!;

    private HttpClient Admin => _stack.Admin;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Create_WithLimits_ReadsThemBack_WithEachBudgetAtZero_AndKeepsThemAcrossARestart()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var (id, _) = await KeyRequests.CreateKeyAsync(Admin, "ci", new
        {
            expireTime = expires.ToString("O", CultureInfo.InvariantCulture),
            allowedModels = new[] { "gpt-5.5", " gpt-5* ", "GPT-5.5" },
            maxConcurrentRequests = 2,
            requestsPerDay = 100,
            tokensPerMonth = 1_000_000,
        });

        var key = await GetKeyAsync(id);
        var limits = key["limits"]!;
        Assert.Equal(expires.ToUnixTimeSeconds(), DateTimeOffset.Parse((string)limits["expireTime"]!, CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        Assert.Equal(["gpt-5.5", "gpt-5*"], limits["allowedModels"]!.AsArray().Select(m => (string)m!)); // trimmed, duplicates dropped
        Assert.Equal((2, "100", "1000000"), ((int)limits["maxConcurrentRequests"]!, (string?)limits["requestsPerDay"], (string?)limits["tokensPerMonth"]));
        Assert.Equal([("METRIC_REQUESTS", "PERIOD_DAY", "100"), ("METRIC_TOKENS", "PERIOD_MONTH", "1000000")],
            key["budgets"]!.AsArray().Select(b => ((string)b!["metric"]!, (string)b["period"]!, (string)b["limit"]!)));
        Assert.All(key["budgets"]!.AsArray(), b => Assert.Equal("0", (string?)b!["used"] ?? "0"));

        await using var restarted = await ControlHost.StartAsync(_stack.Data.Path);
        using var client = new HttpClient { BaseAddress = restarted.Url };
        client.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var again = (await client.GetFromJsonAsync<JsonObject>($"/admin/api-keys/{id}"))!["apiKey"]!["limits"]!;
        Assert.Equal(("100", 2), ((string?)again["requestsPerDay"], (int)again["maxConcurrentRequests"]!));
    }

    [Theory]
    [InlineData("""{"requestsPerDay":-1}""", "limits.requests_per_day must be 0 (no limit)")]
    [InlineData("""{"maxConcurrentRequests":10001}""", "limits.max_concurrent_requests must be 0 (no limit) to 10000")]
    [InlineData("""{"expireTime":"2001-01-01T00:00:00Z"}""", "has passed already")]
    [InlineData("""{"allowedModels":["gpt 5"]}""", "is not a model id")]
    [InlineData("""{"allowedModels":["gpt-*5"]}""", "a prefix ending in *")]
    [InlineData("""{"allowedAccountIds":["acc_nope"]}""", "No account has id 'acc_nope'")]
    public async Task Create_WithABadLimit_Answers400NamingIt_AndCreatesNothing(string limits, string message)
    {
        var response = await Admin.PostAsync("/admin/api-keys", Json($$"""{"name":"bad","limits":{{limits}}}"""));
        var body = await response.Content.ReadAsStringAsync();
        var listed = await Admin.GetFromJsonAsync<JsonObject>("/admin/api-keys");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, body);
        Assert.Empty(listed!["apiKeys"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task Update_ChangesTheMaskedLimits_OrThoseInTheBody_AndAnExplicitMaskClearsOne()
    {
        var (id, _) = await KeyRequests.CreateKeyAsync(Admin, "agent", new { requestsPerDay = 10, allowedModels = new[] { "gpt-5*" } });

        var masked = await PatchAsync($"/admin/api-keys/{id}?updateMask=limits.requestsPerWeek", new { limits = new { requestsPerWeek = 50, requestsPerDay = 999 } });
        var present = await PatchAsync($"/admin/api-keys/{id}", new { limits = new { tokensPerDay = 5000 } });
        var cleared = await PatchAsync($"/admin/api-keys/{id}?updateMask=limits.allowedModels,limits.requestsPerDay", new { });

        Assert.Equal(("10", "50"), ((string?)masked["limits"]!["requestsPerDay"], (string?)masked["limits"]!["requestsPerWeek"]));
        Assert.Equal(("10", "50", "5000"),
            ((string?)present["limits"]!["requestsPerDay"], (string?)present["limits"]!["requestsPerWeek"], (string?)present["limits"]!["tokensPerDay"]));
        Assert.Equal("0", (string?)cleared["limits"]!["requestsPerDay"] ?? "0");
        Assert.Empty(cleared["limits"]!["allowedModels"]?.AsArray() ?? []);
        Assert.Equal(("agent", "5000"), ((string?)cleared["name"], (string?)cleared["limits"]!["tokensPerDay"]));

        // The mask `limits` replaces them all: what the body leaves out is no limit.
        var replaced = await PatchAsync($"/admin/api-keys/{id}?updateMask=limits", new { limits = new { maxConcurrentRequests = 3 } });
        Assert.Equal(3, (int)replaced["limits"]!["maxConcurrentRequests"]!);
        Assert.Equal("0", (string?)replaced["limits"]!["tokensPerDay"] ?? "0");
        Assert.Empty(replaced["budgets"]?.AsArray() ?? []);
    }

    [Theory]
    [InlineData("?updateMask=name", """{"limits":{"requestsPerDay":5}}""", "cannot be changed; only the limits can")]
    [InlineData("", "{}", "Nothing to change")]
    [InlineData("", """{"limits":{"tokensPerWeek":-5}}""", "limits.tokens_per_week must be 0")]
    public async Task Update_WithBadInput_Answers400AndChangesNothing(string query, string json, string message)
    {
        var (id, _) = await KeyRequests.CreateKeyAsync(Admin, "steady", new { requestsPerDay = 7 });

        var response = await Admin.PatchAsync($"/admin/api-keys/{id}{query}", Json(json));
        var after = await GetKeyAsync(id);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Equal(("steady", "7"), ((string?)after["name"], (string?)after["limits"]!["requestsPerDay"]));
    }

    [Fact]
    public async Task UnknownKey_Is404_OnGetAndUpdate()
    {
        var get = await Admin.GetAsync("/admin/api-keys/key_nope");
        var patch = await Admin.PatchAsync("/admin/api-keys/key_nope", Json("""{"limits":{"requestsPerDay":5}}"""));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, patch.StatusCode));
        Assert.Contains("No API key has id 'key_nope'", await patch.Content.ReadAsStringAsync());
    }

    private async Task<JsonNode> GetKeyAsync(string id) => (await Admin.GetFromJsonAsync<JsonObject>($"/admin/api-keys/{id}"))!["apiKey"]!;

    private async Task<JsonNode> PatchAsync(string path, object body)
    {
        var response = await Admin.PatchAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["apiKey"]!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
