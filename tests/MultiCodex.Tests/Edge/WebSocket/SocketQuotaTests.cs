using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// The whole pool at its limit, as a WebSocket client sees it: one error frame in the shape the Codex CLI turns into
/// its usage-limit message, with the <c>headers</c> map it refreshes its limit display from — the same usage headers
/// and wait an HTTP client gets in the same situation.
/// </summary>
public sealed class SocketQuotaTests
{
    [Fact]
    public async Task EveryAccountAtItsLimit_TheErrorFrameCarriesTheUsageHeaders_AndTheHttpAnswerSaysTheSame()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        var key = await proxy.CreateKeyAsync("quota");
        var (only, _) = await proxy.AddAccountAsync("only@example.com");
        only.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, key);

        var frame = Assert.Single(await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Over the limit"))));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = JsonContent.Create(new { model = "gpt-5.5", input = "Over the limit" }) };
        request.Headers.Authorization = new("Bearer", key);
        using var http = await proxy.Client.SendAsync(request);

        Assert.Equal(429, frame.GetProperty("status").GetInt32());
        var error = frame.GetProperty("error");
        Assert.Equal("usage_limit_reached", error.GetProperty("type").GetString());
        var resetsAt = error.GetProperty("resets_at").GetInt64();
        var headers = frame.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!);
        // The account that frees up first, as the upstream's own quota answer left it: its 5-hour window spent until
        // the very reset the message names, and its weekly window beside it.
        Assert.Equal("100", headers["x-codex-primary-used-percent"]);
        Assert.Equal("300", headers["x-codex-primary-window-minutes"]);
        Assert.Equal(resetsAt.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-codex-primary-reset-at"]);
        Assert.Equal("10080", headers["x-codex-secondary-window-minutes"]);
        Assert.True(headers.ContainsKey("x-codex-secondary-used-percent"));
        var retryAfter = long.Parse(headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1700, 1801);
        // The same request over HTTP: the same usage headers as response headers, and the same wait.
        Assert.Equal(HttpStatusCode.TooManyRequests, http.StatusCode);
        Assert.Equal(Stable(headers), Stable(http.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Single())));
        Assert.InRange(http.Headers.RetryAfter!.Delta!.Value.TotalSeconds, retryAfter - 60, retryAfter); // asked a moment later
        // The account was asked once; the blocked pool answered the second request without asking the upstream.
        Assert.Single(proxy.Upstream.WebSocketFrames.All());
        Assert.Empty(proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "POST"));
    }

    // The usage headers that do not move with the clock (a countdown in seconds may tick between two answers).
    private static SortedDictionary<string, string> Stable(Dictionary<string, string> headers) =>
        new(headers.Where(h => h.Key.StartsWith("x-codex-", StringComparison.Ordinal) && !h.Key.EndsWith("-reset-after-seconds", StringComparison.Ordinal))
            .ToDictionary(h => h.Key, h => h.Value), StringComparer.Ordinal);
}
