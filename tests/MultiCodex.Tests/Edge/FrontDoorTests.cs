using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>The Edge is the one front door: its own endpoints, Control's routes, and the dashboard behind it.</summary>
public sealed class FrontDoorTests
{
    [Fact]
    public async Task Healthz_And_Readyz_FollowControl_DegradedWhileItIsAway()
    {
        using var data = new TempDirectory();
        var control = await ControlHost.StartAsync(data.Path);
        await using var edge = await EdgeHost.StartAsync(control.Url);
        await edge.SyncPoolAsync();

        var healthy = await edge.Http.GetAsync("/healthz");
        var ready = await edge.Http.GetAsync("/readyz");
        await control.DisposeAsync();
        // The Edge notices when Control's stream ends; until then it still says ready.
        var readyWithoutControl = await edge.Http.GetAsync("/readyz");
        for (var i = 0; i < 200 && (await readyWithoutControl.Content.ReadAsStringAsync()).StartsWith("ready"); i++)
        {
            await Task.Delay(25);
            readyWithoutControl = await edge.Http.GetAsync("/readyz");
        }
        var healthyWithoutControl = await edge.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
        // It has a view to serve from: degraded, not down.
        Assert.Equal(HttpStatusCode.OK, readyWithoutControl.StatusCode);
        Assert.StartsWith("degraded: Control unreachable", await readyWithoutControl.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, healthyWithoutControl.StatusCode);
    }

    [Fact]
    public async Task EdgeStartedBeforeControl_WaitsQuietly_AndServesOnceControlIsUp()
    {
        var controlUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        await using var edge = await EdgeHost.StartAsync(controlUrl);
        using var data = new TempDirectory();

        // A request that arrives before Control is up waits for the first view (bounded) instead of failing.
        var early = edge.Http.PostAsync("/v1/responses", new StringContent("{\"model\":\"gpt-5.5\",\"input\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        await using var control = await ControlHost.StartAsync(data.Path, settings: new Dictionary<string, string?> { ["CONTROL_URL"] = controlUrl.ToString() });
        var answer = await early;
        await edge.SyncPoolAsync();

        // The view arrived (the pool is simply empty), and nothing was logged as a warning about the start order.
        Assert.Contains("No accounts are configured", await answer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await edge.Http.GetAsync("/readyz")).StatusCode);
        Assert.DoesNotContain(edge.Logs, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Category.StartsWith("MultiCodex.Edge.Pool")
            || e.Message.Contains("Could not load API key digests"));
    }

    [Fact]
    public async Task Readyz_Is503_WhileTheEdgeHasNeverHadAView()
    {
        await using var edge = await EdgeHost.StartAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}"));

        var ready = await edge.Http.GetAsync("/readyz");
        var v1 = await edge.Http.PostAsync("/v1/responses", new StringContent("{\"model\":\"gpt-5.5\",\"input\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.StartsWith("not ready", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, v1.StatusCode);
        Assert.Equal("control_unavailable", (string?)JsonNode.Parse(await v1.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Fact]
    public async Task OtherPaths_AreForwardedToTheDashboard()
    {
        await using var dashboard = await StartFakeDashboardAsync();
        using var data = new TempDirectory();
        await using var control = await ControlHost.StartAsync(data.Path);
        await using var edge = await EdgeHost.StartAsync(control.Url, dashboardUrl: dashboard.Url);

        var page = await edge.Http.GetStringAsync("/accounts?tab=1");
        var asset = await edge.Http.GetStringAsync("/_next/static/app.js");

        Assert.Equal("dashboard saw /accounts?tab=1", page);
        Assert.Equal("dashboard saw /_next/static/app.js", asset);
    }

    [Fact]
    public async Task UnknownV1Endpoint_AnswersInOpenAiErrorShape()
    {
        await using var stack = await Stack.StartAsync();

        var response = await stack.Edge.Http.PostAsync("/v1/embeddings", new StringContent("{}"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_url", (string?)error["code"]);
        Assert.NotNull((string?)error["message"]);
        Assert.NotNull((string?)error["type"]);
    }

    private sealed record FakeDashboard(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    private static async Task<FakeDashboard> StartFakeDashboardAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync($"dashboard saw {context.Request.Path}{context.Request.QueryString}"));
        await app.StartAsync();
        return new FakeDashboard(app, ServerAddress.Of(app));
    }
}
