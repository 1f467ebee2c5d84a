using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

public sealed class ResponsesValidationTests
{
    [Theory]
    [InlineData("store", "true", "Store must be set to false")]
    [InlineData("stream", "false", "Stream must be set to true")]
    [InlineData("input", "\"hello\"", "Input must be a list")]
    [InlineData("max_output_tokens", "100", "Unsupported parameter: max_output_tokens")]
    [InlineData("temperature", "0.2", "Unsupported parameter: temperature")]
    [InlineData("top_p", "0.9", "Unsupported parameter: top_p")]
    [InlineData("safety_identifier", "\"u1\"", "Unsupported parameter: safety_identifier")]
    public async Task InvalidField_Answers400Detail(string field, string json, string detail)
    {
        var body = ResponsesRequests.CodexLike("x");
        body[field] = JsonNode.Parse(json);

        var (status, text) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($$"""{"detail":"{{detail}}"}""", text);
    }

    [Fact]
    public async Task MissingStore_Answers400()
    {
        var body = ResponsesRequests.CodexLike("x");
        body.Remove("store");

        var (status, text) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"detail":"Store must be set to false"}""", text);
    }

    [Fact]
    public async Task SystemRoleItem_Answers400()
    {
        var body = ResponsesRequests.CodexLike("x");
        body["input"]!.AsArray().Insert(0, new JsonObject
        {
            ["type"] = "message",
            ["role"] = "system",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = "sys" }),
        });

        var (status, text) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"detail":"System messages are not allowed"}""", text);
    }

    [Fact]
    public async Task UnknownModel_Answers400NotSupportedWithChatGptAccount()
    {
        var (status, text) = await SendAsync(ResponsesRequests.CodexLike("x", model: "gpt-4o"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The 'gpt-4o' model is not supported when using Codex with a ChatGPT account.", text);
    }

    [Fact]
    public async Task FunctionCallWithoutOutput_Answers400_WithOutputSucceeds()
    {
        var orphan = ResponsesRequests.CodexLike("x");
        orphan["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call", ["call_id"] = "call_1", ["name"] = "exec_command", ["arguments"] = "{}" });
        var paired = orphan.DeepClone().AsObject();
        paired["input"]!.AsArray().Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = "call_1", ["output"] = "ok" });

        var (orphanStatus, orphanText) = await SendAsync(orphan);
        var (pairedStatus, _) = await SendAsync(paired);

        Assert.Equal(HttpStatusCode.BadRequest, orphanStatus);
        Assert.Contains("No tool output found for function call call_1.", orphanText);
        Assert.Equal(HttpStatusCode.OK, pairedStatus);
    }

    [Fact]
    public async Task ItemReference_Answers400NotPersisted()
    {
        var body = ResponsesRequests.CodexLike("x");
        body["input"]!.AsArray().Add(new JsonObject { ["type"] = "item_reference", ["id"] = "msg_1" });

        var (status, text) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Items are not persisted when `store` is set to false", text);
    }

    [Fact]
    public async Task InstructionsStringAndItemIds_AreAccepted()
    {
        var body = ResponsesRequests.CodexLike("x");
        body["instructions"] = "";

        var (status, _) = await SendAsync(body);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task BrokenJson_Answers400()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);
        using var request = ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x"));
        request.Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Authentication_MissingUnknownAndMismatchedAccount_AreRejected()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var other = sim.AddAccount("b@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);

        using var missing = ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x"));
        missing.Headers.Authorization = null;
        using var unknown = ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x"));
        unknown.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJ.not.known");
        using var mismatched = ResponsesRequests.Post(other, tokens, ResponsesRequests.CodexLike("x"));
        using var noAccountHeader = ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x"));
        noAccountHeader.Headers.Remove("ChatGPT-Account-ID");

        using var missingResponse = await client.SendAsync(missing);
        using var unknownResponse = await client.SendAsync(unknown);
        using var mismatchedResponse = await client.SendAsync(mismatched);
        using var noAccountHeaderResponse = await client.SendAsync(noAccountHeader);

        Assert.Equal(HttpStatusCode.Unauthorized, missingResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownResponse.StatusCode);
        Assert.Contains("\"code\":\"token_invalidated\"", await unknownResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, mismatchedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, noAccountHeaderResponse.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, string Text)> SendAsync(JsonObject body)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        using var client = TestSim.Client(sim);
        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
