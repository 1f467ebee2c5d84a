using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>Client keys: open while none exists; once one does, /v1 needs it; revoked keys stop working; secrets stay secret.</summary>
public sealed class ClientKeyTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task KeyLifecycle_OpenThenRequiredThenRevoked()
    {
        await _proxy.AddAccountAsync("keys@example.com");
        var open = await SendAsync(null);

        var created = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "laptop" });
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var secret = (string)body["secret"]!;
        var id = (string)body["apiKey"]!["id"]!;
        // The Edge learns of the key through Control's digest stream, a moment after the create call returns.
        var missing = await SendAsync(null);
        for (var i = 0; i < 40 && missing.StatusCode == HttpStatusCode.OK; i++)
        {
            await Task.Delay(50);
            missing = await SendAsync(null);
        }
        var wrong = await SendAsync("mcx_wrong");
        var right = await SendAsync(secret);
        var listed = await _proxy.Stack.Admin.GetStringAsync("/admin/api-keys");

        // Another key stays, so /v1 stays closed once this one is revoked (with no key at all it would be open again).
        (await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "server" })).EnsureSuccessStatusCode();
        (await _proxy.Stack.Admin.DeleteAsync($"/admin/api-keys/{id}")).EnsureSuccessStatusCode();
        var revoked = await SendAsync(secret);
        for (var i = 0; i < 40 && revoked.StatusCode == HttpStatusCode.OK; i++)
        {
            await Task.Delay(50);
            revoked = await SendAsync(secret);
        }

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("invalid_api_key", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.StartsWith("mcx_", secret);
        Assert.DoesNotContain(secret, listed);
        Assert.Contains("laptop", listed);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(_proxy.Stack.Data.File("api-keys.json")));
    }

    [Fact]
    public async Task ClientAuthorization_NeverReachesTheUpstream()
    {
        await _proxy.AddAccountAsync("leak@example.com");
        var secret = (string)(await (await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "ci" })).Content.ReadFromJsonAsync<JsonObject>())!["secret"]!;

        (await SendAsync(secret)).EnsureSuccessStatusCode();
        var sent = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Last();

        Assert.DoesNotContain(secret, sent.Header("authorization"));
        Assert.StartsWith("Bearer ey", sent.Header("authorization"));
    }

    [Fact]
    public async Task DuplicateKeyName_Is409()
    {
        (await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "same" })).EnsureSuccessStatusCode();

        var again = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "same" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("{\"model\":\"gpt-5.5\",\"input\":\"hi\"}", Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return _proxy.Client.SendAsync(request);
    }
}
