using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Conversations;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Keys;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>
/// Every upstream request of a conversation carries one key, as its <c>session-id</c> (and <c>thread-id</c>) header
/// and its <c>prompt_cache_key</c> alike, and reaches one account: what the client sent travels as sent, what it left
/// out is filled in, and a client that sends neither gets a key derived from its conversation's opening and its API key.
/// </summary>
public sealed class ConversationKeyTests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task AClientThatSendsNoKey_GetsOneDerivedKeyForEveryTurn_AsHeaderAndBody_OnOneAccount()
    {
        await TurnOneMakesTheOtherAccountRankBetterAsync("derive-x@example.com", "derive-y@example.com");
        var opening = """{"role":"system","content":"Be brief."},{"role":"user","content":"first question"}""";

        await PostAsync($$"""{"model":"gpt-5.5","input":[{{opening}}]}""");
        await PostAsync($$"""{"model":"gpt-5.5","input":[{{opening}},{"role":"assistant","content":"first answer"},{"role":"user","content":"second question"}]}""");
        await PostAsync($$"""{"model":"gpt-5.5","input":[{{opening}},{"role":"assistant","content":"first answer"},{"role":"user","content":"second question"},{"role":"assistant","content":"second answer"},{"role":"user","content":"third"}]}""");

        await PostAsync("""{"model":"gpt-5.5","input":[{"role":"user","content":"another conversation"}]}""");

        var turns = _proxy.Upstream.Requests.ForPath(ResponsesPath).Take(3).ToList();
        var key = CacheKey(turns[0]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", key);
        Assert.All(turns, t => Assert.Equal(key, CacheKey(t)));
        Assert.All(turns, t => Assert.Equal(key, t.Header("session-id")));
        Assert.All(turns, t => Assert.Equal(key, t.Header("thread-id")));
        Assert.All(turns, t => Assert.Equal("derive-x@example.com", t.Account!.Email));
        // What the later turns would have met without their key: the rules prefer the other account now.
        Assert.Equal("derive-y@example.com", _proxy.Upstream.Requests.ForPath(ResponsesPath)[3].Account!.Email);
    }

    [Fact]
    public async Task TheSameOpening_UnderTwoApiKeys_GetsTwoKeys()
    {
        await _proxy.AddAccountAsync("keys@example.com");
        var laptop = (await KeyRequests.CreateKeyAsync(_proxy.Stack.Admin, "laptop")).Secret;
        var server = (await KeyRequests.CreateKeyAsync(_proxy.Stack.Admin, "server")).Secret;
        const string body = """{"model":"gpt-5.5","input":[{"role":"user","content":"same opening"}]}""";

        await PostAsync(body, laptop);
        await PostAsync(body, laptop);
        await PostAsync(body, server);

        var keys = _proxy.Upstream.Requests.ForPath(ResponsesPath).Select(CacheKey).ToList();
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
    }

    public static TheoryData<string?, string?, string, string> ClientKeys => new()
    {
        // prompt_cache_key, session-id header → what the upstream gets as prompt_cache_key and session-id
        { "pck-only", null, "pck-only", "pck-only" },
        { null, "header-only", "header-only", "header-only" },
        { "pck-both", "header-both", "pck-both", "header-both" },
    };

    [Theory]
    [MemberData(nameof(ClientKeys))]
    public async Task WhatTheClientSent_TravelsAsSent_AndWhatItLeftOut_IsTheSameKey(string? promptCacheKey, string? sessionId, string sentKey, string sentHeader)
    {
        await _proxy.AddAccountAsync("client-keys@example.com");
        var body = new JsonObject { ["model"] = "gpt-5.5", ["input"] = "hi" };
        if (promptCacheKey is not null)
        {
            body["prompt_cache_key"] = promptCacheKey;
        }

        await PostAsync(body.ToJsonString(), sessionId: sessionId);

        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single();
        Assert.Equal(sentKey, CacheKey(sent));
        Assert.Equal(sentHeader, sent.Header("session-id"));
    }

    [Fact]
    public async Task AChatCompletionsClient_GetsTheSameDerivedKeyShape()
    {
        await _proxy.AddAccountAsync("chat-key@example.com");

        var response = await _proxy.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"gpt-5.5","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single();
        Assert.Equal(CacheKey(sent), sent.Header("session-id"));
        Assert.Equal(36, CacheKey(sent).Length);
    }

    [Fact]
    public void Derive_DependsOnTheKeyTheModelAndTheOpeningOnly()
    {
        const string opening = """{"type":"message","role":"developer","content":"rules"},{"type":"message","role":"user","content":"q1"}""";
        var turn1 = Body($$"""[{{opening}}]""");
        var turn2 = Body($$"""[{{opening}},{"type":"message","role":"assistant","content":"a1"},{"type":"message","role":"user","content":"q2"}]""");

        var key = ConversationKeys.Derive("key-1", "gpt-5.5", turn1);

        Assert.Equal(key, ConversationKeys.Derive("key-1", "gpt-5.5", turn2));
        Assert.NotEqual(key, ConversationKeys.Derive("key-2", "gpt-5.5", turn1));
        Assert.NotEqual(key, ConversationKeys.Derive("key-1", "gpt-5.4", turn1));
        Assert.NotEqual(key, ConversationKeys.Derive("key-1", "gpt-5.5", Body("""[{"type":"message","role":"developer","content":"rules"},{"type":"message","role":"user","content":"q9"}]""")));
        // Length-prefixed parts: moving bytes between the key id and the model does not give the same key.
        Assert.NotEqual(ConversationKeys.Derive("ab", "c", turn1), ConversationKeys.Derive("a", "bc", turn1));
    }

    [Theory]
    [InlineData("thread-1", "thread-1")]
    [InlineData("with space", null)]
    [InlineData("grüße", null)]
    public void HeaderValue_IsTheKeyWhenItCanTravelInAHeader_ElseItsHash(string key, string? expected)
    {
        var value = ConversationKeys.HeaderValue(key);

        Assert.Equal(expected ?? value, value);
        Assert.DoesNotContain(value, c => c is < '!' or > '~');
        Assert.Equal(value, ConversationKeys.HeaderValue(key));
    }

    /// <summary>
    /// Two accounts with known usage, the first preferred; the first's next answer reports it heavily used, so from
    /// then on the rules prefer the second: only a conversation's binding keeps its later turns on the first.
    /// </summary>
    private async Task TurnOneMakesTheOtherAccountRankBetterAsync(string first, string second)
    {
        var (x, _) = await _proxy.AddAccountAsync(first, priority: 0);
        await _proxy.AddAccountAsync(second, priority: 1);
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        x.SetPrimaryUsage(90);
        x.SetSecondaryUsage(90);
    }

    private static byte[] Body(string input) => Encoding.UTF8.GetBytes($$"""{"model":"m","input":{{input}},"stream":true}""");

    private static string CacheKey(RecordedRequest request) => (string)JsonNode.Parse(request.BodyText!)!["prompt_cache_key"]!;


    private async Task PostAsync(string body, string? apiKey = null, string? sessionId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new("Bearer", apiKey);
        }
        if (sessionId is not null)
        {
            request.Headers.Add("session-id", sessionId);
        }
        using var response = await _proxy.Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
