using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// In the README's default configuration (loopback, no ADMIN_TOKEN) the admin API is open to the operator's own
/// tools, so what keeps a web page the operator visits away from it is the browser's word on where a request comes
/// from, and the Host name. These tests send what a browser sends, from another site and from the dashboard itself.
/// (dashboard/e2e/specs/attacker.mjs tries the same from a real page in Chromium.)
/// </summary>
public sealed class CrossOriginTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private WebApplication _dashboard = null!;
    private ControlHost _control = null!;
    private EdgeHost _edge = null!;

    private string Self => $"http://127.0.0.1:{_edge.Url.Port}";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _dashboard = builder.Build();
        _dashboard.Run(context => context.Response.WriteAsync("dashboard page"));
        await _dashboard.StartAsync();
        _control = await ControlHost.StartAsync(_data.Path, adminToken: null);
        _edge = await EdgeHost.StartAsync(_control.Url, adminToken: null, dashboardUrl: ServerAddress.Of(_dashboard));
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _control.DisposeAsync();
        await _dashboard.DisposeAsync();
        _data.Dispose();
    }

    public static TheoryData<string, string, string?, string> CrossSiteAttempts => new()
    {
        // name, Content-Type, Origin, Sec-Fetch-Site
        { "an HTML form", "application/x-www-form-urlencoded", "http://evil.example", "cross-site" },
        { "fetch no-cors with a text body", "text/plain;charset=UTF-8", "http://evil.example", "cross-site" },
        { "a page on another local port", "text/plain;charset=UTF-8", "http://127.0.0.1:8080", "same-site" },
        { "a sandboxed frame", "text/plain;charset=UTF-8", "null", "cross-site" },
        { "an old browser (Origin only)", "text/plain;charset=UTF-8", "http://evil.example", "" },
    };

    [Theory]
    [MemberData(nameof(CrossSiteAttempts))]
    public async Task CrossSitePost_ToCreateAKey_IsRefused_AndCreatesNothing(string how, string contentType, string? origin, string site)
    {
        var response = await SendAsync(HttpMethod.Post, "/admin/api-keys", "{\"name\":\"stolen\"}", contentType, origin, site, "no-cors");

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{how}: {response.StatusCode}");
        Assert.Contains("Cross-origin", await response.Content.ReadAsStringAsync());
        Assert.Empty((await ListKeysAsync())["apiKeys"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task ExportRoute_FromAnotherSite_IsRefused_AsFetchAndAsNavigation()
    {
        var id = await AddAccountAsync();

        var fetched = await SendAsync(HttpMethod.Get, $"/admin/accounts/{id}/export", null, null, "http://evil.example", "cross-site", "cors");
        var navigated = await SendAsync(HttpMethod.Get, $"/admin/accounts/{id}/export", null, null, null, "cross-site", "navigate", "document");

        Assert.Equal(HttpStatusCode.Forbidden, fetched.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, navigated.StatusCode);
        Assert.DoesNotContain("refresh", await navigated.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RebindingHost_IsRefused_OnTheFrontDoorAndOnControlsPort()
    {
        var id = await AddAccountAsync();

        var front = await RawHttp.SendAsync(_edge.Url, Raw.Request("GET", $"/admin/accounts/{id}/export", [], null, $"rebind.test:{_edge.Url.Port}"));
        var control = await RawHttp.SendAsync(_control.Url, Raw.Request("GET", $"/admin/accounts/{id}/export", [], null, $"rebind.test:{_control.Url.Port}"));
        var localhost = await RawHttp.SendAsync(_edge.Url, Raw.Request("GET", $"/admin/accounts/{id}", [], null, $"localhost:{_edge.Url.Port}"));

        Assert.Equal(400, front.Status);
        Assert.Equal(400, control.Status);
        Assert.DoesNotContain("refresh", front.Text + control.Text);
        Assert.Equal(200, localhost.Status);
    }

    [Fact]
    public async Task CrossSiteRequest_StraightToControlsPort_IsRefused()
    {
        using var http = new HttpClient { BaseAddress = _control.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api-keys") { Content = new StringContent("{\"name\":\"direct\"}", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", "http://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty((await ListKeysAsync())["apiKeys"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task TheDashboardItself_SameOrigin_CanUseTheAdminApi_AndBeOpenedFromALink()
    {
        var created = await SendAsync(HttpMethod.Post, "/admin/api-keys", "{\"name\":\"from-the-dashboard\"}", "application/json", Self, "same-origin", "cors");
        var page = await SendAsync(HttpMethod.Get, "/accounts", null, null, null, "cross-site", "navigate", "document");
        var bookmark = await SendAsync(HttpMethod.Get, "/accounts", null, null, null, "none", "navigate", "document");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("dashboard page", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, bookmark.StatusCode);
    }

    [Fact]
    public async Task SameOriginFormPost_FromABrowser_Is415_WhileCurlsFormDefault_StillWorks()
    {
        var browser = await SendAsync(HttpMethod.Post, "/admin/api-keys", "{\"name\":\"browser-form\"}", "application/x-www-form-urlencoded", Self, "same-origin", "navigate");
        using var curl = new HttpClient { BaseAddress = _edge.Url };
        var curlLike = await curl.PostAsync("/admin/api-keys", new StringContent("{\"name\":\"curl\"}", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, browser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, curlLike.StatusCode);
        Assert.Equal("curl", (string?)Assert.Single((await ListKeysAsync())["apiKeys"]!.AsArray())!["name"]);
    }

    [Fact]
    public async Task Answers_CarrySecurityHeaders_AndTheDashboardKeepsItsOwnPolicy()
    {
        var api = await SendAsync(HttpMethod.Get, "/v1/nothing", null, null, null, "", "");
        var page = await SendAsync(HttpMethod.Get, "/accounts", null, null, null, "none", "navigate", "document");

        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", api.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", api.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? contentType, string? origin, string site, string mode,
        string? dest = null)
    {
        using var http = new HttpClient { BaseAddress = _edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }
        foreach (var (name, value) in new[] { ("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", mode), ("Sec-Fetch-Dest", dest ?? "") })
        {
            if (value.Length > 0)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<JsonObject> ListKeysAsync()
    {
        using var http = new HttpClient { BaseAddress = _edge.Url };
        return (await http.GetFromJsonAsync<JsonObject>("/admin/api-keys"))!;
    }

    private async Task<string> AddAccountAsync()
    {
        using var http = new HttpClient { BaseAddress = _edge.Url };
        var tokens = TestTokens.For("victim@example.com");
        var response = await http.PostAsJsonAsync("/admin/accounts",
            new { tokens = new { accessToken = tokens.AccessToken, refreshToken = tokens.RefreshToken, idToken = tokens.IdToken } });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
    }
}
