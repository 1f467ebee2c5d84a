using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.OAuth;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.SignIn;

/// <summary>An abandoned sign-in can be cancelled: it no longer completes, and a device flow stops polling the issuer.</summary>
public sealed class CancelFlowTests : IAsyncLifetime
{
    private const string DeviceTokenPath = "/api/accounts/deviceauth/token";
    private readonly TimerAwareClock _time = new(DateTimeOffset.UtcNow);
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(null, _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task CancelledDeviceFlow_IsNeverPolledAgain_WhileAnotherStillCompletes()
    {
        var account = _proxy.Upstream.AddAccount("kept@example.com");
        var abandoned = await PostJson("/admin/oauth/device/start", new { email = "gone@example.com" });
        var kept = await PostJson("/admin/oauth/device/start", new { email = "kept@example.com" });
        // Polled once each before the cancel, so the count below starts from a poller that is known to run.
        await AdvanceUntilAsync(() => PollsOf(abandoned) > 0 && PollsOf(kept) > 0);

        var cancelled = await PostJson("/admin/oauth/cancel", new { flowId = (string)abandoned["flowId"]! });
        var pollsAtCancel = PollsOf(abandoned);
        Assert.True(_proxy.Upstream.ApproveDeviceCode((string)kept["userCode"]!, account));
        // Both flows share one polling pass: once the other completes, the poller has passed the cancelled one by.
        await AdvanceUntilAsync(() => Flows().Find((string)kept["flowId"]!)!.Status == FlowStatus.Completed);
        _time.Advance(TimeSpan.FromSeconds(30));
        var status = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/oauth/status/{abandoned["flowId"]}");

        Assert.Equal("STATE_CANCELLED", (string?)cancelled["state"]);
        Assert.Equal("STATE_CANCELLED", (string?)status!["state"]);
        Assert.Equal(pollsAtCancel, PollsOf(abandoned));
    }

    [Fact]
    public async Task CancelledBrowserFlow_CannotBeCompleted_AndCancelIsIdempotent()
    {
        _proxy.Upstream.AddAccount("late@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await IssuerBrowser.SignInAsync((string)flow["authorizeUrl"]!, "late@example.com");

        var cancelled = await PostJson("/admin/oauth/cancel", new { flowId = (string)flow["flowId"]! });
        var again = await PostJson("/admin/oauth/cancel", new { flowId = (string)flow["flowId"]! });
        var complete = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect });
        var list = await _proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts");

        Assert.Equal("STATE_CANCELLED", (string?)cancelled["state"]);
        Assert.Equal("STATE_CANCELLED", (string?)again["state"]);
        Assert.Equal(HttpStatusCode.BadRequest, complete.StatusCode);
        Assert.Contains("cancelled", await complete.Content.ReadAsStringAsync());
        Assert.Empty(list!["accounts"]!.AsArray());
    }

    [Fact]
    public async Task CancellingACompletedFlow_LeavesItCompleted()
    {
        _proxy.Upstream.AddAccount("done@example.com");
        var flow = await PostJson("/admin/oauth/start", new { });
        var redirect = await IssuerBrowser.SignInAsync((string)flow["authorizeUrl"]!, "done@example.com");
        await PostJson("/admin/oauth/complete", new { redirectUrl = redirect });

        var cancelled = await PostJson("/admin/oauth/cancel", new { flowId = (string)flow["flowId"]! });

        Assert.Equal("STATE_COMPLETED", (string?)cancelled["state"]);
        Assert.Equal("done@example.com", (string?)cancelled["account"]!["email"]);
    }

    [Fact]
    public async Task CancellingAnUnknownFlow_Is404()
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync("/admin/oauth/cancel", new { flowId = "flow_nope" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private OAuthFlowStore Flows() => _proxy.Stack.Control.Services.GetRequiredService<OAuthFlowStore>();

    private int PollsOf(JsonObject flow) =>
        _proxy.Upstream.Requests.ForPath(DeviceTokenPath)
            .Count(r => r.Json is { } json && json.TryGetProperty("user_code", out var code) && code.GetString() == (string?)flow["userCode"]);

    // The poller ticks every second of fake time and polls each flow at the issuer's interval (5 s here). Its timer
    // is armed on the hosted service's own thread: the clock moves only once it exists, or the ticks would be lost.
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        await _time.WaitForTimerAsync(armedBy: typeof(DeviceFlowPoller));
        for (var i = 0; i < 40 && !condition(); i++)
        {
            _time.Advance(TimeSpan.FromSeconds(6));
            var deadline = DateTime.UtcNow.AddMilliseconds(500);
            while (!condition() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        Assert.True(condition(), "the condition did not become true while the clock advanced");
    }

    private async Task<JsonObject> PostJson(string path, object body)
    {
        var response = await _proxy.Stack.Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
