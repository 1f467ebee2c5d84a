using System.Net;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>
/// <c>GET /v1/codex/models</c>: the upstream's catalog in the Codex CLI's own format (what its
/// <c>model_catalog_url</c> reads), fetched once as the newest CLI and shown to each CLI as the upstream would show it.
/// </summary>
public sealed class CodexCatalogTests : IAsyncLifetime
{
    private const string CatalogPath = "/backend-api/codex/models";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task EachCli_GetsTheUpstreamsEntries_WithoutTheModelsItsVersionIsTooOldFor()
    {
        await _proxy.AddAccountAsync("catalog@example.com");

        var newest = await CatalogAsync("?client_version=0.171.0");
        var older = await CatalogAsync("?client_version=0.165.2");
        var unversioned = await CatalogAsync("");

        Assert.Contains("gpt-6.2-sol", Slugs(newest));
        Assert.DoesNotContain("gpt-6.2-sol", Slugs(older)); // needs 0.166.0
        Assert.Contains("gpt-5.5", Slugs(older));
        Assert.Equal(Slugs(newest), Slugs(unversioned));
        // The entries are the upstream's as it sent them: what the CLI needs of a model, not OpenAI's list shape.
        var sol = newest["models"]!.AsArray().Single(m => (string?)m!["slug"] == "gpt-6.2-sol")!;
        Assert.True((bool?)sol["use_responses_lite"]);
        Assert.Equal("0.166.0", (string?)sol["minimal_client_version"]);
        Assert.NotNull(sol["model_messages"]!["instructions_template"]);
        // Fetched upstream once, as the CLI MultiCodex presents; the others came from the cache.
        var fetched = Assert.Single(_proxy.Upstream.Requests.ForPath(CatalogPath));
        Assert.Equal("?client_version=0.171.0", fetched.QueryString);
    }

    [Fact]
    public async Task TheUpstreamsETag_IsPassedOn_AndIfNoneMatchIsAnswered304()
    {
        await _proxy.AddAccountAsync("catalog-etag@example.com");
        using var first = await _proxy.Client.GetAsync("/v1/codex/models?client_version=0.171.0");
        var etag = first.Headers.ETag;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/v1/codex/models?client_version=0.171.0");
        again.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await _proxy.Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    private async Task<JsonNode> CatalogAsync(string query)
    {
        using var response = await _proxy.Client.GetAsync("/v1/codex/models" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static List<string?> Slugs(JsonNode catalog) => [.. catalog["models"]!.AsArray().Select(m => (string?)m!["slug"])];
}
