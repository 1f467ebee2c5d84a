using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Webhooks;

/// <summary>The /admin/webhooks routes through the front door: create (secret once), list, update with mask semantics, delete, bad input.</summary>
public sealed class WebhookApiTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Create_ShowsTheSecretOnce_ListsWithoutIt_AndKeepsItInAnOwnerOnlyFileAcrossARestart()
    {
        var created = await CreateAsync(new { url = "https://hooks.example.com/multicodex", description = "pager", eventTypes = new[] { "TYPE_POOL_EXHAUSTED" } });
        var secret = (string)created["secret"]!;
        var id = (string)created["webhook"]!["id"]!;
        var listed = await _stack.Admin.GetStringAsync("/admin/webhooks");
        var one = await _stack.Admin.GetStringAsync($"/admin/webhooks/{id}");

        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", secret);
        Assert.StartsWith("whk_", id);
        Assert.Equal(secret[..10] + "…", (string?)created["webhook"]!["secretHint"]);
        Assert.Equal(true, (bool?)created["webhook"]!["enabled"]);
        Assert.Equal(["TYPE_POOL_EXHAUSTED"], created["webhook"]!["eventTypes"]!.AsArray().Select(t => (string)t!));
        var webhook = Assert.Single(JsonNode.Parse(listed)!["webhooks"]!.AsArray())!;
        Assert.Equal(("https://hooks.example.com/multicodex", "pager"), ((string?)webhook["url"], (string?)webhook["description"]));
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(secret, one);
        var file = _stack.Data.File("webhooks.json");
        Assert.Contains(secret, await File.ReadAllTextAsync(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        await using var restarted = await ControlHost.StartAsync(_stack.Data.Path);
        using var client = new HttpClient { BaseAddress = restarted.Url };
        client.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var again = (await client.GetFromJsonAsync<JsonObject>($"/admin/webhooks/{id}"))!["webhook"]!;
        Assert.Equal("pager", (string?)again["description"]);
    }

    [Theory]
    [InlineData("", "Give the URL")]
    [InlineData("hooks.example.com/x", "not an absolute URL")]
    [InlineData("ftp://hooks.example.com/x", "Only http and https")]
    [InlineData("file:///etc/passwd", "Only http and https")]
    [InlineData("javascript:alert(1)", "Only http and https")]
    [InlineData("https://user:pw@hooks.example.com/x", "user name or password")]
    [InlineData("https://hooks.example.com/x#frag", "#fragment")]
    public async Task Create_WithABadUrl_Answers400AndStoresNothing(string url, string message)
    {
        var response = await _stack.Admin.PostAsJsonAsync("/admin/webhooks", new { url });
        var body = await response.Content.ReadAsStringAsync();
        var listed = await _stack.Admin.GetFromJsonAsync<JsonObject>("/admin/webhooks");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, body);
        Assert.Empty(listed!["webhooks"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task Create_WithAnUnknownEventType_Answers400()
    {
        var response = await _stack.Admin.PostAsJsonAsync("/admin/webhooks", new { url = "http://127.0.0.1:9/x", eventTypes = new[] { "TYPE_UNSPECIFIED" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown event type", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Update_ChangesOnlyTheMaskedFields_OrTheFieldsInTheBody()
    {
        var id = (string)(await CreateAsync(new { url = "http://127.0.0.1:9/a", description = "first", eventTypes = new[] { "TYPE_ACCOUNT_BLOCKED" } }))["webhook"]!["id"]!;

        var masked = await PatchAsync($"/admin/webhooks/{id}?updateMask=enabled", new { url = "http://127.0.0.1:9/ignored", enabled = false });
        var present = await PatchAsync($"/admin/webhooks/{id}", new { description = "second" });
        var cleared = await PatchAsync($"/admin/webhooks/{id}?updateMask=eventTypes", new { });

        Assert.Equal((false, "http://127.0.0.1:9/a", "first"), ((bool?)masked["enabled"], (string?)masked["url"], (string?)masked["description"]));
        Assert.Equal((false, "second"), ((bool?)present["enabled"], (string?)present["description"]));
        Assert.Equal(["TYPE_ACCOUNT_BLOCKED"], present["eventTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Empty(cleared["eventTypes"]?.AsArray() ?? []);
    }

    [Theory]
    [InlineData("?updateMask=secretHint", """{"enabled":true}""", "cannot be changed")]
    [InlineData("", "{}", "Nothing to change")]
    [InlineData("", """{"url":"gopher://x"}""", "Only http and https")]
    public async Task Update_WithBadInput_Answers400AndChangesNothing(string query, string json, string message)
    {
        var id = (string)(await CreateAsync(new { url = "http://127.0.0.1:9/a" }))["webhook"]!["id"]!;

        var response = await _stack.Admin.PatchAsync($"/admin/webhooks/{id}{query}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var after = (await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/webhooks/{id}"))!["webhook"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Equal("http://127.0.0.1:9/a", (string?)after["url"]);
    }

    [Theory]
    [InlineData("GET", "/admin/webhooks/whk_nope")]
    [InlineData("PATCH", "/admin/webhooks/whk_nope")]
    [InlineData("DELETE", "/admin/webhooks/whk_nope")]
    [InlineData("POST", "/admin/webhooks/whk_nope/test")]
    [InlineData("GET", "/admin/webhooks/whk_nope/deliveries")]
    public async Task UnknownId_Answers404OnEveryRoute(string method, string route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), route)
        {
            Content = method is "PATCH" or "POST" ? new StringContent("""{"enabled":true}""", System.Text.Encoding.UTF8, "application/json") : null,
        };

        var response = await _stack.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No webhook has id 'whk_nope'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheWebhook()
    {
        var id = (string)(await CreateAsync(new { url = "http://127.0.0.1:9/a" }))["webhook"]!["id"]!;

        var deleted = await _stack.Admin.DeleteAsync($"/admin/webhooks/{id}");
        var again = await _stack.Admin.GetAsync($"/admin/webhooks/{id}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    private async Task<JsonObject> CreateAsync(object webhook)
    {
        var response = await _stack.Admin.PostAsJsonAsync("/admin/webhooks", webhook);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<JsonObject> PatchAsync(string route, object body)
    {
        var response = await _stack.Admin.PatchAsJsonAsync(route, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["webhook"]!.AsObject();
    }
}
