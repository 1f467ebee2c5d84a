using System.Net;
using System.Net.Http.Json;
using System.Text;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>Bad input gets a clear error with the right status and leaves accounts.json untouched.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private Stack _stack = null!;
    private string _accountId = "";

    public async Task InitializeAsync()
    {
        _stack = await Stack.StartAsync();
        _accountId = (string)(await _stack.AddAccountAsync(TestTokens.For("keep@example.com")))["id"]!;
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    public static TheoryData<string, string, string?> UnknownIdRequests => new()
    {
        { "GET", "/admin/accounts/acc_missing", null },
        { "PATCH", "/admin/accounts/acc_missing", "{\"label\":\"x\"}" },
        { "DELETE", "/admin/accounts/acc_missing", null },
        { "POST", "/admin/accounts/acc_missing/unblock", "{}" },
        { "GET", "/admin/accounts/acc_missing/export", null },
    };

    [Theory]
    [MemberData(nameof(UnknownIdRequests))]
    public async Task UnknownId_Returns404AndChangesNothing(string method, string path, string? body)
    {
        var status = await SendAndAssertUnchanged(method, path, body, expectedFragment: "acc_missing");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("POST", "/admin/accounts", "{\"authJson\": ")]
    [InlineData("POST", "/admin/accounts", "[1,2,3]")]
    [InlineData("PATCH", "/admin/accounts/{id}", "{\"priority\": \"high\"}")]
    public async Task MalformedJson_Returns400AndChangesNothing(string method, string path, string body)
    {
        var status = await SendAndAssertUnchanged(method, path.Replace("{id}", _accountId), body, expectedFragment: null);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task OversizedBody_Returns413AndChangesNothing()
    {
        var huge = "{\"authJson\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";

        var status = await SendAndAssertUnchanged("POST", "/admin/accounts", huge, expectedFragment: "larger than");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("{\"auth_mode\":\"apikey\",\"OPENAI_API_KEY\":\"sk-x\"}", "API key")]
    [InlineData("{\"tokens\":{\"access_token\":\"a\"}}", "refresh_token")]
    [InlineData("{\"tokens\":{\"access_token\":\"not-a-jwt\",\"refresh_token\":\"r\"}}", "not JWTs")]
    public async Task InvalidAuthJson_Returns400WithMessageAndChangesNothing(string authJson, string expectedFragment)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { authJson });

        var status = await SendAndAssertUnchanged("POST", "/admin/accounts", body, expectedFragment);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [InlineData("{\"label\":\"\"}", "empty")]
    [InlineData("{\"priority\":5000}", "between 0 and 1000")]
    public async Task InvalidUpdate_Returns400AndChangesNothing(string body, string expectedFragment)
    {
        var status = await SendAndAssertUnchanged("PATCH", $"/admin/accounts/{_accountId}", body, expectedFragment);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task CreateWithBothTokensAndAuthJson_Returns400()
    {
        var tokens = TestTokens.For("both@example.com");
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            authJson = TestTokens.AuthJson(tokens),
            tokens = new { accessToken = tokens.AccessToken, refreshToken = tokens.RefreshToken },
        });

        var status = await SendAndAssertUnchanged("POST", "/admin/accounts", body, "exactly one");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private async Task<HttpStatusCode> SendAndAssertUnchanged(string method, string path, string? body, string? expectedFragment)
    {
        var file = _stack.Data.File("accounts.json");
        var before = await File.ReadAllBytesAsync(file);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await _stack.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(before, await File.ReadAllBytesAsync(file));
        if (expectedFragment is not null)
        {
            Assert.Contains(expectedFragment, text);
        }
        var list = await _stack.Admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/admin/accounts");
        Assert.Single(list!["accounts"]!.AsArray());
        return response.StatusCode;
    }
}
