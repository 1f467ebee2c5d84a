using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the Responses client is marked experimental in the SDK

namespace MultiCodex.Tests.Clients;

/// <summary>
/// Multi-turn conversations of the official OpenAI .NET SDK through the Edge: a Chat Completions conversation (which
/// sends no key of its own) keeps one prompt-cache key and one account, and the Responses API's
/// <c>previous_response_id</c> works as it does against OpenAI.
/// </summary>
public sealed class ConversationSdkTests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private ProxyFixture _proxy = null!;
    private ApiKeyCredential _key = null!;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _key = new ApiKeyCredential(await _proxy.CreateKeyAsync("conversations"));
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task AChatConversation_KeepsOneCacheKeyAndOneAccount_AcrossItsTurns()
    {
        var (first, _) = await _proxy.AddAccountAsync("chat-a@example.com", priority: 0);
        await _proxy.AddAccountAsync("chat-b@example.com", priority: 1);
        (await _proxy.Stack.Admin.PostAsync("/admin/usage/refresh", null)).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        // The first answer reports its account heavily used: only the conversation's binding keeps the later turns there.
        first.SetPrimaryUsage(90);
        first.SetSecondaryUsage(90);
        var chat = Chat();
        List<ChatMessage> messages = [new SystemChatMessage("Be brief."), new UserChatMessage("first question")];

        foreach (var next in new[] { "second question", "third question" })
        {
            ChatCompletion answer = await chat.CompleteChatAsync(messages);
            messages.Add(new AssistantChatMessage(answer));
            messages.Add(new UserChatMessage(next));
        }
        ChatCompletion last = await chat.CompleteChatAsync(messages);
        ChatCompletion other = await chat.CompleteChatAsync([new UserChatMessage("a new conversation")]);

        Assert.Equal("Hello from chat-a@example.com: third question", last.Content[0].Text);
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath);
        var turns = sent.Take(3).ToList();
        var key = CacheKey(turns[0]);
        Assert.All(turns, t => Assert.Equal(key, CacheKey(t)));
        Assert.All(turns, t => Assert.Equal(key, t.Header("session-id")));
        Assert.All(turns, t => Assert.Equal("chat-a@example.com", t.Account!.Email));
        // A new conversation is another key, and nothing holds it on the busy account.
        Assert.NotEqual(key, CacheKey(sent[3]));
        Assert.Equal("Hello from chat-b@example.com: a new conversation", other.Content[0].Text);
    }

    [Fact]
    public async Task PreviousResponseId_ContinuesTheConversation_TheUpstreamGetsTheWholeOfIt()
    {
        await _proxy.AddAccountAsync("prev-sdk@example.com");
        var responses = Responses();

        ResponseResult first = await responses.CreateResponseAsync("gpt-5.5", "My name is Ada.", null);
        ResponseResult second = await responses.CreateResponseAsync("gpt-5.5", "What is my name?", first.Id);
        ResponseResult third = await responses.CreateResponseAsync("gpt-5.5", "Say it once more.", second.Id);

        Assert.Equal("Hello from prev-sdk@example.com: Say it once more.", third.GetOutputText());
        var input = JsonNode.Parse(_proxy.Upstream.Requests.ForPath(ResponsesPath).Last().BodyText!)!["input"]!.AsArray();
        Assert.Equal(
            ["user", "assistant", "user", "assistant", "user"],
            input.Select(i => (string?)i!["role"]));
        Assert.Contains("My name is Ada.", input[0]!.ToJsonString());
        Assert.Contains("Say it once more.", input[4]!.ToJsonString());
    }

    [Fact]
    public async Task AnUnknownPreviousResponseId_IsTheSdks400_PreviousResponseNotFound()
    {
        await _proxy.AddAccountAsync("prev-sdk-unknown@example.com");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Responses().CreateResponseAsync("gpt-5.5", "Go on.", "resp_from_elsewhere"));

        Assert.Equal(400, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!["error"]!;
        Assert.Equal("previous_response_not_found", (string?)body["code"]);
        Assert.Equal("previous_response_id", (string?)body["param"]);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    private static string CacheKey(RecordedRequest request) => (string)JsonNode.Parse(request.BodyText!)!["prompt_cache_key"]!;

    private ChatClient Chat() => new("gpt-5.5", _key, new OpenAIClientOptions { Endpoint = _proxy.V1, NetworkTimeout = TimeSpan.FromSeconds(30) });

    private ResponsesClient Responses() => new(_key, new ResponsesClientOptions
    {
        Endpoint = _proxy.V1,
        NetworkTimeout = TimeSpan.FromSeconds(30),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}
