using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the Responses client is marked experimental in the SDK

namespace MultiCodex.Tests.Clients;

/// <summary>The official OpenAI .NET SDK, pointed at the Edge's /v1 with a MultiCodex key, against the fake backend.</summary>
public sealed class OpenAiDotNetSdkTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;
    private ApiKeyCredential _key = null!;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync();
        _key = new ApiKeyCredential(await _proxy.CreateKeyAsync("dotnet-sdk"));
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task ChatCompletion_NonStreaming()
    {
        await _proxy.AddAccountAsync("chat@example.com");

        ChatCompletion completion = await Chat().CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi there")]);

        Assert.Equal("Hello from chat@example.com: Hi there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task ChatCompletion_Streaming()
    {
        await _proxy.AddAccountAsync("chatstream@example.com");
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;

        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Stream this please")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello from chatstream@example.com: Stream this please", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task ChatCompletion_WithTools_RoundTrip()
    {
        var (sim, _) = await _proxy.AddAccountAsync("tools@example.com");
        sim.EnqueueBehavior(ResponseBehavior.FunctionCall("get_weather", "{\"city\":\"Paris\"}", "call_1"));
        var weather = ChatTool.CreateFunctionTool("get_weather", "Current weather in a city",
            BinaryData.FromString("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        var options = new ChatCompletionOptions { Tools = { weather } };
        List<ChatMessage> messages = [new UserChatMessage("What's the weather in Paris?")];

        ChatCompletion call = await Chat().CompleteChatAsync(messages, options);
        messages.Add(new AssistantChatMessage(call));
        messages.Add(new ToolChatMessage(call.ToolCalls[0].Id, "{\"temperature\":21}"));
        ChatCompletion answer = await Chat().CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, call.FinishReason);
        Assert.Equal("get_weather", call.ToolCalls[0].FunctionName);
        Assert.Equal("Paris", System.Text.Json.JsonDocument.Parse(call.ToolCalls[0].FunctionArguments).RootElement.GetProperty("city").GetString());
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        // The tool result reached the upstream as a function_call_output paired with its call.
        var sent = JsonNode.Parse(_proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Last().BodyText!)!["input"]!.AsArray();
        Assert.Contains(sent, i => (string?)i!["type"] == "function_call" && (string?)i["call_id"] == "call_1");
        Assert.Contains(sent, i => (string?)i!["type"] == "function_call_output" && (string?)i["call_id"] == "call_1");
    }

    [Fact]
    public async Task Responses_NonStreaming()
    {
        await _proxy.AddAccountAsync("resp@example.com");

        ResponseResult response = await Responses().CreateResponseAsync("gpt-5.5", "Tell me something", null);

        Assert.Equal("Hello from resp@example.com: Tell me something", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
    }

    [Fact]
    public async Task Responses_Streaming()
    {
        await _proxy.AddAccountAsync("respstream@example.com");
        var text = new System.Text.StringBuilder();
        var completed = false;

        await foreach (var update in await Responses().CreateResponseStreamingAsync("gpt-5.5", "Stream it", null))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
            }
            completed |= update is StreamingResponseCompletedUpdate;
        }

        Assert.Equal("Hello from respstream@example.com: Stream it", text.ToString());
        Assert.True(completed);
    }

    [Fact]
    public async Task QuotaOnTheFirstAccount_IsInvisibleToTheSdk()
    {
        var (first, _) = await _proxy.AddAccountAsync("quota-a@example.com", priority: 0);
        await _proxy.AddAccountAsync("quota-b@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReachedInStream());

        ChatCompletion completion = await Chat().CompleteChatAsync([new UserChatMessage("still works")]);

        Assert.Equal("Hello from quota-b@example.com: still works", completion.Content[0].Text);
    }

    [Fact]
    public async Task AllAccountsExhausted_SurfacesAs429()
    {
        var (only, _) = await _proxy.AddAccountAsync("exhausted@example.com");
        only.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(5)));

        // Without retries: the SDK would otherwise honour Retry-After and wait for the block to end.
        var chat = new ChatClient("gpt-5.5", _key, new OpenAIClientOptions { Endpoint = _proxy.V1, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(429, error.Status);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter) && int.Parse(retryAfter!) is > 200 and <= 301);
    }

    private ChatClient Chat() => new("gpt-5.5", _key, new OpenAIClientOptions { Endpoint = _proxy.V1, NetworkTimeout = TimeSpan.FromSeconds(30) });

    private ResponsesClient Responses() => new(_key, new ResponsesClientOptions { Endpoint = _proxy.V1, NetworkTimeout = TimeSpan.FromSeconds(30) });
}
