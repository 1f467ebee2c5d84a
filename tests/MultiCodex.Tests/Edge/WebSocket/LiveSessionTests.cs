using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using MultiCodex.Control.V1;
using MultiCodex.Control.WebSocketSessions;
using MultiCodex.Edge.V1.WebSocket;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// The operator sees the client WebSockets open on the Edges: <c>GET /admin/websocket-sessions</c> (and the same RPC
/// over gRPC-Web, as the dashboard calls it) lists each with its account, key, age and responses, and drops it when
/// the client closes.
/// </summary>
public sealed class LiveSessionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnOpenSocket_IsListedWithItsAccountKeyAndResponses_AndGoesAwayWhenTheClientCloses()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        var (_, accountId) = await proxy.AddAccountAsync("live@example.com");
        var secret = await proxy.CreateKeyAsync("laptop");
        var before = DateTimeOffset.UtcNow;
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, secret);

        await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));
        await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two")));
        var listed = await WaitForSessionsAsync(proxy, s => s.Count == 1 && (int)s[0]!["responses"]! == 2);

        var session = listed[0]!;
        Assert.StartsWith("ws_", (string)session["id"]!);
        Assert.Equal(accountId, (string)session["accountId"]!);
        Assert.Equal("live@example.com", (string)session["accountEmail"]!);
        Assert.Equal("laptop", (string)session["keyName"]!);
        Assert.Equal("websocket", (string)session["upstreamTransport"]!);
        Assert.False(string.IsNullOrEmpty((string?)session["edgeId"]));
        var opened = DateTimeOffset.Parse((string)session["openTime"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(opened, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        var body = (await proxy.Stack.Admin.GetStringAsync("/admin/websocket-sessions"));
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        var web = await new WebSocketSessionService.WebSocketSessionServiceClient(proxy.Stack.GrpcWeb)
            .ListWebSocketSessionsAsync(new ListWebSocketSessionsRequest(), Stack.Authorized);
        Assert.Equal((string)session["id"]!, Assert.Single(web.Sessions).Id);

        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await WaitForSessionsAsync(proxy, s => s.Count == 0);
    }

    [Fact]
    public async Task EachSocket_IsListedOnItsOwn_AndOnlyTheOneThatClosesGoesAway()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        await proxy.AddAccountAsync("pair@example.com");
        await using var first = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, session: "thread-a");
        await using var second = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, session: "thread-b");
        await first.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));

        var both = await WaitForSessionsAsync(proxy, s => s.Count == 2 && s.Sum(x => (int)x!["responses"]!) == 1);
        // Oldest first; a socket that has not asked anything yet has no account and an open /v1 has no key name.
        var idle = both.Single(s => (int)s!["responses"]! == 0)!;
        Assert.Equal("", (string?)idle["accountId"] ?? "");
        Assert.Equal("", (string?)idle["keyName"] ?? "");

        // Dropped without a close frame, as the Codex CLI does when it quits.
        second.Socket.Abort();
        var left = await WaitForSessionsAsync(proxy, s => s.Count == 1);
        Assert.Equal(1, (int)left[0]!["responses"]!);
    }

    [Fact]
    public async Task AnIdleSocket_StaysListed_WhileItsEdgeRenewsIt_AndDropsOutWhenTheEdgeFallsSilent()
    {
        var controlClock = new TimerAwareClock(DateTimeOffset.UtcNow);
        var edgeClock = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyFixture.StartAsync(time: controlClock, edgeTime: edgeClock);
        proxy.Upstream.WebSocketsEnabled = true;
        var edge = proxy.Stack.Edge;

        await using var client = await EdgeSocket.ConnectAsync(edge.Url);
        // The set went on the report queue when the reporter began its pause after sending.
        var timers = await edgeClock.WaitForTimerAsync(LiveSessionsReporter.MinInterval, typeof(LiveSessionsReporter));
        await edge.FlushReportsAsync();
        Assert.Single(await ListAsync(proxy));

        // Nothing changes on the socket; the Edge sends the set again after its heartbeat …
        edgeClock.Advance(LiveSessionsReporter.MinInterval);
        timers = await edgeClock.WaitForTimerAsync(LiveSessionsReporter.Heartbeat, typeof(LiveSessionsReporter), after: timers);
        controlClock.Advance(TimeSpan.FromSeconds(20));
        edgeClock.Advance(LiveSessionsReporter.Heartbeat);
        await edgeClock.WaitForTimerAsync(LiveSessionsReporter.MinInterval, typeof(LiveSessionsReporter), after: timers);
        await edge.FlushReportsAsync();
        // … so 40 s after the first report the socket is still listed (20 s after the renewal) …
        controlClock.Advance(TimeSpan.FromSeconds(20));
        Assert.Single(await ListAsync(proxy));

        // … and once the Edge stops reporting (its clock stands still), it drops out 30 s after its last word.
        controlClock.Advance(WebSocketSessionDirectory.ForgetAfter - TimeSpan.FromSeconds(20) + TimeSpan.FromSeconds(1));
        Assert.Empty(await ListAsync(proxy));
    }

    private static async Task<JsonArray> ListAsync(ProxyFixture proxy)
    {
        var reply = await proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/websocket-sessions");
        return reply!["sessions"] as JsonArray ?? [];
    }

    /// <summary>Polls the route until <paramref name="done"/> holds for its list (the Edge reports every few seconds).</summary>
    private static async Task<JsonArray> WaitForSessionsAsync(ProxyFixture proxy, Func<JsonArray, bool> done)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var reply = await proxy.Stack.Admin.GetFromJsonAsync<JsonObject>("/admin/websocket-sessions", timeout.Token);
            var sessions = reply!["sessions"] as JsonArray ?? [];
            if (done(sessions))
            {
                return sessions;
            }
            await Task.Delay(100, timeout.Token);
        }
    }
}
