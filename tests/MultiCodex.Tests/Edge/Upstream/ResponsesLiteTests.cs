using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>
/// Responses Lite through /v1/responses: the <c>X-OpenAI-Internal-Codex-Responses-Lite</c> header and the
/// <c>additional_tools</c> item reach the upstream untouched, and the upstream's refusal of a hosted tool there
/// reaches the client as its 400, without counting against the account.
/// </summary>
public sealed class ResponsesLiteTests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private const string LiteHeader = "X-OpenAI-Internal-Codex-Responses-Lite";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task LiteHeaderAndAdditionalToolsItem_ReachTheUpstreamUntouched()
    {
        await _proxy.AddAccountAsync("lite@example.com");
        var tools = """{"type":"additional_tools","tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}}},{"type":"custom","name":"apply_patch","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}},{"type":"tool_search","execution":"client"}]}""";

        var response = await PostAsync(LiteBody(tools), lite: "true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single();
        Assert.Equal("true", sent.Header(LiteHeader));
        Assert.Contains("\"input\":[" + tools + ",", sent.BodyText);
        Assert.Contains("Hello from lite@example.com: lite turn", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AHostedToolOnALiteRequest_IsTheUpstreams400_AndTheAccountStaysActive()
    {
        var (_, id) = await _proxy.AddAccountAsync("lite-hosted@example.com");
        var tools = """{"type":"additional_tools","tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}},{"type":"web_search","external_web_access":false}]}""";

        var response = await PostAsync(LiteBody(tools), lite: "true");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        await _proxy.Stack.Edge.FlushReportsAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("X-OpenAI-Internal-Codex-Responses-Lite only supports function tools, custom tools, and client-executed tool search.", (string?)error["message"]);
        Assert.Equal("unsupported_value", (string?)error["code"]);
        Assert.Equal("tools", (string?)error["param"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Single(_proxy.Upstream.Requests.ForPath(ResponsesPath)); // refused once, not retried on another account
        Assert.Equal("STATE_ACTIVE", (string?)(await _proxy.AccountAsync(id))["state"]);
    }

    [Fact]
    public async Task TheSameHostedTool_WithoutTheLiteHeader_IsServed()
    {
        await _proxy.AddAccountAsync("not-lite@example.com");
        var tools = """{"type":"additional_tools","tools":[{"type":"web_search","external_web_access":false}]}""";

        var response = await PostAsync(LiteBody(tools), lite: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(_proxy.Upstream.Requests.ForPath(ResponsesPath).Single().Header(LiteHeader));
    }

    // The Lite layout the Codex CLI sends: tools and instructions moved into an additional_tools item and a developer item.
    private static string LiteBody(string additionalTools) => $$"""
        {"model":"gpt-6.2-sol","input":[{{additionalTools}},{"type":"message","role":"developer","content":[{"type":"input_text","text":"You are Codex."}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"lite turn"}]}],"prompt_cache_key":"thread-lite"}
        """;

    private async Task<HttpResponseMessage> PostAsync(string body, string? lite)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (lite is not null)
        {
            request.Headers.Add(LiteHeader, lite);
        }
        return await _proxy.Client.SendAsync(request);
    }
}
