using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// Every upstream fault before the first event, on a WebSocket client's continuation: answered as on HTTP (the
/// client never sees it when another try can serve), the conversation rebuilt wherever the turn lands; and the
/// fallback when the transcript may not be kept.
/// </summary>
public sealed class SocketFailoverTests
{
    public static TheoryData<string, string> Faults => new()
    {
        { "usage_not_included", "second" },
        { "token_expired", "first" },
        { "server_error", "first" },
        { "overloaded", "first" },
        { "overloaded_in_stream", "first" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task FaultBeforeTheFirstEvent_OnAContinuation_IsInvisible_AndTheTurnKeepsItsHistory(string fault, string server)
    {
        await using var proxy = await StartAsync();
        var (first, _) = await proxy.AddAccountAsync("first@example.com", priority: 0);
        await proxy.AddAccountAsync("second@example.com", priority: 1);
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, await KeyAsync(proxy));
        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));
        first.EnqueueBehavior(fault switch
        {
            "usage_not_included" => ResponseBehavior.UsageNotIncluded(),
            "token_expired" => ResponseBehavior.TokenExpired(),
            "server_error" => ResponseBehavior.ServerError(),
            "overloaded" => ResponseBehavior.Overloaded(),
            _ => ResponseBehavior.StreamFailed("server_is_overloaded", "Selected model is at capacity."),
        });

        var two = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(one)));

        Assert.Equal($"Hello from {server}@example.com: Two", EdgeSocket.Text(two));
        Assert.DoesNotContain(two, f => EdgeSocket.TypeOf(f) is "error" or "response.failed");
        // Whichever socket served it had the whole conversation: as a continuation of its own, or rebuilt in full.
        var served = proxy.Upstream.WebSocketFrames.All().Last(f => f.Outcome == "response.completed");
        Assert.True(served.PreviousResponseId == EdgeSocket.ResponseId(one) || served.Json!.Value.GetProperty("input").GetArrayLength() == 3,
            served.Json!.Value.GetRawText());
    }

    [Fact]
    public async Task WithNoRoomForTranscripts_AMovedContinuation_AsksTheClientForItsHistory_WhichThenLandsOnAHealthyAccount()
    {
        await using var proxy = await StartAsync(new() { ["RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES"] = "0" });
        var (first, _) = await proxy.AddAccountAsync("first@example.com", priority: 0);
        await proxy.AddAccountAsync("second@example.com", priority: 1);
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, await KeyAsync(proxy));
        var one = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("One")));
        var kept = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Kept"), EdgeSocket.ResponseId(one)));
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        var moved = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Two"), EdgeSocket.ResponseId(kept)));
        // What Codex does on that answer: the full history, on a new socket.
        await using var again = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, await KeyAsync(proxy));
        var history = new JsonArray(EdgeSocket.Message("user", "One"), EdgeSocket.Message("assistant", EdgeSocket.Text(one)),
            EdgeSocket.Message("user", "Kept"), EdgeSocket.Message("assistant", EdgeSocket.Text(kept)), EdgeSocket.Message("user", "Two"));
        var resent = await again.AskAsync(EdgeSocket.Create(history));

        // Without a transcript the continuation still went on its own socket as long as it could …
        Assert.Equal("Hello from first@example.com: Kept", EdgeSocket.Text(kept));
        var error = Assert.Single(moved);
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.Equal("previous_response_not_found", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("Hello from second@example.com: Two", EdgeSocket.Text(resent));
        Assert.Contains("multicodex_edge_websocket_history_requested_total", await proxy.Stack.Admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task EachFrame_PassesTheKeysLimits_ARefusalIsOneErrorFrame_AndTheSocketGoesOn()
    {
        await using var proxy = await StartAsync();
        await proxy.AddAccountAsync("limits@example.com");
        var secret = await proxy.CreateKeyAsync("gpt5-only", new { allowedModels = new[] { "gpt-5*" } });
        await proxy.Stack.Edge.SyncPoolAsync();
        await using var client = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, secret);

        var refused = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("Old model"), model: "gpt-4.1"));
        var allowed = await client.AskAsync(EdgeSocket.Create(EdgeSocket.User("New model")));

        var error = Assert.Single(refused);
        Assert.Equal(403, error.GetProperty("status").GetInt32());
        Assert.Equal("key_model_not_allowed", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("Hello from limits@example.com: New model", EdgeSocket.Text(allowed));
        Assert.Single(proxy.Upstream.WebSocketFrames.All()); // the refused frame never went upstream
    }

    private static async Task<ProxyFixture> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var proxy = await ProxyFixture.StartAsync(settings);
        proxy.Upstream.WebSocketsEnabled = true;
        return proxy;
    }

    private static async Task<string> KeyAsync(ProxyFixture proxy)
    {
        return await proxy.CreateKeyAsync("failover-" + Guid.NewGuid().ToString("N")[..8]);
    }
}
