using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// A WebSocket client that sends neither <c>prompt_cache_key</c> nor a session header (any client but Codex) gets the
/// conversation key HTTP derives from the conversation's opening: sockets that open alike land on one account and carry
/// one key upstream, in every frame's <c>prompt_cache_key</c> and on the upgrade's <c>session-id</c>.
/// </summary>
public sealed class SocketConversationKeyTests
{
    [Fact]
    public async Task WithoutKeyOrSessionHeader_SocketsThatOpenAlike_LandOnOneAccount_WithTheKeyHttpDerives()
    {
        await using var proxy = await ProxyFixture.StartAsync();
        proxy.Upstream.WebSocketsEnabled = true;
        var key = await proxy.CreateKeyAsync("derived");
        await proxy.AddAccountAsync("a@example.com");
        await proxy.AddAccountAsync("b@example.com");

        await using var one = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, key, session: null);
        var first = await one.AskAsync(EdgeSocket.Create(Opening("Lisbon"), promptCacheKey: null));
        var next = await one.AskAsync(EdgeSocket.Create(EdgeSocket.User("And the day after?"), EdgeSocket.ResponseId(first), promptCacheKey: null));
        // Without the key, the pool would now choose the other account: the first one is no longer untouched.
        await using var two = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, key, session: null);
        var second = await two.AskAsync(EdgeSocket.Create(Opening("Lisbon"), promptCacheKey: null));
        await using var three = await EdgeSocket.ConnectAsync(proxy.Stack.Edge.Url, key, session: null);
        var other = await three.AskAsync(EdgeSocket.Create(Opening("Oslo"), promptCacheKey: null));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent(new JsonObject { ["model"] = "gpt-5.5", ["input"] = Opening("Lisbon") }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);
        using var http = await proxy.Client.SendAsync(request);

        Assert.All(new[] { first, next, second, other }, answer => Assert.Equal("response.completed", EdgeSocket.TypeOf(answer[^1])));
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var frames = proxy.Upstream.WebSocketFrames.All();
        Assert.Equal(4, frames.Count);
        var derived = frames[0].Field("prompt_cache_key");
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", derived);
        // One conversation key on every frame of the opening: the first request, its continuation, the second socket …
        Assert.Equal([derived, derived, derived], frames.Take(3).Select(f => f.Field("prompt_cache_key")));
        Assert.Equal(EdgeSocket.ResponseId(first), frames[1].PreviousResponseId);
        Assert.Single(frames.Take(3).Select(f => f.Account.Email).Distinct());
        // … while another opening is another conversation.
        Assert.NotNull(frames[3].Field("prompt_cache_key"));
        Assert.NotEqual(derived, frames[3].Field("prompt_cache_key"));
        // The upgrades name the conversation as the Codex CLI's do: session-id and thread-id, equal to the key.
        var upgrades = proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "GET");
        Assert.Equal(2, upgrades.Count(u => u.Headers.GetValueOrDefault("session-id") == derived && u.Headers.GetValueOrDefault("thread-id") == derived));
        Assert.Contains(upgrades, u => u.Headers.GetValueOrDefault("session-id") == frames[3].Field("prompt_cache_key"));
        // An HTTP request under the same client key that opens alike is the same conversation: same key, same account.
        var post = Assert.Single(proxy.Upstream.Requests.ForPath("/backend-api/codex/responses", "POST"));
        Assert.Equal(derived, post.Json!.Value.GetProperty("prompt_cache_key").GetString());
        Assert.Equal(derived, post.Headers.GetValueOrDefault("session-id"));
        Assert.Equal(frames[0].Account.Email, post.Account!.Email);
    }

    // A conversation's opening with fixed item ids, so that two clients sending it send the same bytes.
    private static JsonArray Opening(string city) => new(
        Item("msg_instructions", "developer", "You are a travel planner."),
        Item("msg_" + city.ToLowerInvariant(), "user", $"Plan two days in {city}."));

    private static JsonObject Item(string id, string role, string text) => new()
    {
        ["type"] = "message",
        ["role"] = role,
        ["id"] = id,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };
}
