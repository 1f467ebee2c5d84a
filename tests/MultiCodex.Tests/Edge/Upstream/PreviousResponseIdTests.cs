using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Keys;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>
/// <c>previous_response_id</c> over HTTP is honoured or refused, never dropped: the upstream (which keeps nothing)
/// gets the whole conversation the id stands for; an id this Edge did not serve to the same API key is a 400
/// <c>previous_response_not_found</c>.
/// </summary>
public sealed class PreviousResponseIdTests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AContinuation_SendsTheUpstreamTheWholeConversation_OnTheSameConversationKey(bool streamFirstTurn)
    {
        await _proxy.AddAccountAsync("prev@example.com");
        var first = streamFirstTurn
            ? await StreamedResponseIdAsync(new { model = "gpt-5.5", input = "My name is Ada.", stream = true })
            : (string)(await PostAsync(new { model = "gpt-5.5", instructions = "Be brief.", input = "My name is Ada." }))["id"]!;

        var second = await PostAsync(new { model = "gpt-5.5", input = "What is my name?", previous_response_id = first });
        var third = await PostAsync(new { model = "gpt-5.5", input = "And again?", previous_response_id = (string)second["id"]! });

        Assert.Equal("Hello from prev@example.com: And again?", (string?)third["output_text"]);
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Select(r => JsonNode.Parse(r.BodyText!)!).ToList();
        Assert.Equal(
            ["user:My name is Ada.", "assistant:Hello from prev@example.com: My name is Ada.", "user:What is my name?",
             "assistant:Hello from prev@example.com: What is my name?", "user:And again?"],
            Messages(sent[2]));
        Assert.All(sent, s => Assert.Null(s["previous_response_id"]));
        Assert.Single(sent.Select(s => (string?)s["prompt_cache_key"]).Distinct());
    }

    [Fact]
    public async Task AFunctionCall_IsContinuedWithItsOutput_AsThePreviousResponseLeftIt()
    {
        var (sim, _) = await _proxy.AddAccountAsync("prev-tools@example.com");
        sim.EnqueueBehavior(ResponseBehavior.FunctionCall("get_weather", "{\"city\":\"Paris\"}", "call_7"));
        var call = await PostAsync(new { model = "gpt-5.5", input = "Weather in Paris?", reasoning = new { effort = "low" } });

        var answer = await PostAsync(new
        {
            model = "gpt-5.5",
            previous_response_id = (string)call["id"]!,
            input = new object[] { new { type = "function_call_output", call_id = "call_7", output = "{\"temperature\":21}" } },
        });

        Assert.Equal("completed", (string?)answer["status"]);
        var input = JsonNode.Parse(_proxy.Upstream.Requests.ForPath(ResponsesPath).Last().BodyText!)!["input"]!.AsArray();
        Assert.Equal(["message", "reasoning", "function_call", "function_call_output"], input.Select(i => (string?)i!["type"] ?? "message"));
    }

    [Fact]
    public async Task AnUnknownId_Is400PreviousResponseNotFound_AndNoAccountIsTried()
    {
        await _proxy.AddAccountAsync("prev-unknown@example.com");

        var (status, error) = await ErrorAsync(new { model = "gpt-5.5", input = "x", previous_response_id = "resp_never_served" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("previous_response_not_found", (string?)error["code"]);
        Assert.Equal("previous_response_id", (string?)error["param"]);
        Assert.StartsWith("Previous response with id 'resp_never_served' not found.", (string?)error["message"]);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    [Fact]
    public async Task AnIdThatIsNotAString_Is400InvalidType_NotDropped()
    {
        await _proxy.AddAccountAsync("prev-type@example.com");

        var (status, error) = await ErrorAsync(new { model = "gpt-5.5", input = "x", previous_response_id = 42 });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_type", (string?)error["code"]);
        Assert.Equal("previous_response_id", (string?)error["param"]);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    [Fact]
    public async Task AnotherKeysResponse_IsNotFound()
    {
        await _proxy.AddAccountAsync("prev-keys@example.com");
        var alice = (await KeyRequests.CreateKeyAsync(_proxy.Stack.Admin, "alice")).Secret;
        var mallory = (await KeyRequests.CreateKeyAsync(_proxy.Stack.Admin, "mallory")).Secret;
        var aliceResponse = (string)(await PostAsync(new { model = "gpt-5.5", input = "alice's secret" }, alice))["id"]!;

        var (status, error) = await ErrorAsync(new { model = "gpt-5.5", input = "what did she say?", previous_response_id = aliceResponse }, mallory);
        var own = await PostAsync(new { model = "gpt-5.5", input = "what did I say?", previous_response_id = aliceResponse }, alice);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("previous_response_not_found", (string?)error["code"]);
        Assert.Equal("completed", (string?)own["status"]);
        Assert.DoesNotContain(_proxy.Upstream.Requests.ForPath(ResponsesPath), r => r.BodyText!.Contains("what did she say?"));
    }

    [Fact]
    public async Task AResponseMadeWithStoreFalse_CannotBeContinued()
    {
        await _proxy.AddAccountAsync("prev-nostore@example.com");
        var unstored = (string)(await PostAsync(new { model = "gpt-5.5", input = "forget me", store = false }))["id"]!;

        var (status, error) = await ErrorAsync(new { model = "gpt-5.5", input = "x", previous_response_id = unstored });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("previous_response_not_found", (string?)error["code"]);
    }

    [Fact]
    public async Task ACompaction_IsContinuedFromItsItem_WithoutItsTrigger()
    {
        await _proxy.AddAccountAsync("prev-compact@example.com");
        var compacted = await PostAsync(new { model = "gpt-5.5", input = new object[] { new { role = "user", content = "long story" }, new { type = "compaction_trigger" } } });

        var next = await PostAsync(new { model = "gpt-5.5", input = "go on", previous_response_id = (string)compacted["id"]! });

        Assert.Equal("Hello from prev-compact@example.com: go on", (string?)next["output_text"]);
        var input = JsonNode.Parse(_proxy.Upstream.Requests.ForPath(ResponsesPath).Last().BodyText!)!["input"]!.AsArray();
        Assert.Equal(["message", "compaction", "message"], input.Select(i => (string?)i!["type"] ?? "message"));
    }

    // role:text of each message item, in order.
    private static List<string> Messages(JsonNode body) =>
        [.. body["input"]!.AsArray().Where(i => i!["role"] is not null).Select(i => $"{(string?)i!["role"]}:{Text(i["content"]!)}")];

    private static string Text(JsonNode content) =>
        content is JsonValue ? (string)content! : string.Concat(content.AsArray().Select(p => (string?)p!["text"]));

    private async Task<JsonObject> PostAsync(object body, string? apiKey = null)
    {
        using var response = await SendAsync(body, apiKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<(HttpStatusCode Status, JsonNode Error)> ErrorAsync(object body, string? apiKey = null)
    {
        using var response = await SendAsync(body, apiKey);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!);
    }

    private async Task<string> StreamedResponseIdAsync(object body)
    {
        using var response = await SendAsync(body, null);
        var completed = (await response.Content.ReadAsStringAsync()).Split('\n').Single(l => l.StartsWith("data: {\"type\":\"response.completed\"", StringComparison.Ordinal));
        return (string)JsonNode.Parse(completed[6..])!["response"]!["id"]!;
    }

    private Task<HttpResponseMessage> SendAsync(object body, string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new("Bearer", apiKey);
        }
        return _proxy.Client.SendAsync(request);
    }

}
