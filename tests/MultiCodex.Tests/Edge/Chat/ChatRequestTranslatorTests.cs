using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Chat;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Top-level request mapping: model, streaming flags, tools, formats, reasoning and dropped parameters.</summary>
public sealed class ChatRequestTranslatorTests
{
    [Fact]
    public void Translate_MinimalRequest_BuildsStoreFalseStreamingBody()
    {
        var result = Translate("""{"model":"gpt-5.5","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(result.IsValid);
        Assert.Equal("gpt-5.5", result.Model);
        Assert.False(result.Stream);
        Assert.False(result.IncludeUsage);
        JsonAssert.Equal(
            """
            {"model":"gpt-5.5","store":false,"stream":true,
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}]}
            """,
            result.Body);
    }

    [Theory]
    [InlineData("\"stream\":true", true, false)]
    [InlineData("\"stream\":true,\"stream_options\":{\"include_usage\":true}", true, true)]
    [InlineData("\"stream\":true,\"stream_options\":{\"include_usage\":false}", true, false)]
    [InlineData("\"stream\":false", false, false)]
    public void Translate_StreamOptions_AreReportedButUpstreamAlwaysStreams(string fields, bool stream, bool includeUsage)
    {
        var result = Translate($$"""{"model":"gpt-5.4",{{fields}},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(result.IsValid);
        Assert.Equal(stream, result.Stream);
        Assert.Equal(includeUsage, result.IncludeUsage);
        Assert.True((bool)result.Body["stream"]!);
        Assert.False(result.Body.ContainsKey("stream_options"));
    }

    [Theory]
    [InlineData("max_tokens", "1024")]
    [InlineData("max_completion_tokens", "1024")]
    [InlineData("temperature", "0.2")]
    [InlineData("top_p", "0.9")]
    [InlineData("presence_penalty", "0.5")]
    [InlineData("frequency_penalty", "0.5")]
    [InlineData("logit_bias", "{\"50256\":-100}")]
    [InlineData("seed", "42")]
    [InlineData("user", "\"user-1234\"")]
    [InlineData("metadata", "{\"run\":\"7\"}")]
    [InlineData("stop", "[\"\\n\\n\"]")]
    [InlineData("logprobs", "true")]
    [InlineData("top_logprobs", "3")]
    [InlineData("service_tier", "\"flex\"")]
    [InlineData("store", "true")]
    [InlineData("n", "1")]
    [InlineData("modalities", "[\"text\"]")]
    [InlineData("some_future_field", "{}")]
    public void Translate_ParametersTheUpstreamRejects_AreDropped(string name, string value)
    {
        var result = Translate($$"""{"model":"gpt-5.5","{{name}}":{{value}},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.True(result.IsValid);
        Assert.Equal(["model", "input", "store", "stream"], result.Body.Select(p => p.Key));
        Assert.False((bool)result.Body["store"]!);
    }

    [Fact]
    public void Translate_Tools_AreFlattenedWithExplicitStrictness()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[{"role":"user","content":"Weather in Paris?"}],
             "tools":[
               {"type":"function","function":{"name":"get_weather","description":"Current weather",
                 "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},
                 "strict":true}},
               {"type":"function","function":{"name":"now"}}],
             "tool_choice":"required","parallel_tool_calls":false}
            """);

        JsonAssert.Equal(
            """
            [{"type":"function","name":"get_weather","description":"Current weather",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},
              "strict":true},
             {"type":"function","name":"now","parameters":{"type":"object","properties":{}},"strict":false}]
            """,
            result.Body!["tools"]);
        Assert.Equal("required", (string?)result.Body["tool_choice"]);
        Assert.False((bool)result.Body["parallel_tool_calls"]!);
    }

    [Theory]
    [InlineData("\"auto\"", "\"auto\"")]
    [InlineData("\"none\"", "\"none\"")]
    [InlineData("\"required\"", "\"required\"")]
    [InlineData("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}", "{\"type\":\"function\",\"name\":\"get_weather\"}")]
    [InlineData(
        "{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"required\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}}",
        "{\"type\":\"allowed_tools\",\"mode\":\"required\",\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}]}")]
    public void Translate_ToolChoice_IsMapped(string toolChoice, string expected)
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[{"role":"user","content":"Hi"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":TOOL_CHOICE}
            """.Replace("TOOL_CHOICE", toolChoice));

        JsonAssert.Equal(expected, result.Body!["tool_choice"]);
    }

    [Fact]
    public void Translate_JsonSchemaResponseFormat_IsFlattenedIntoTextFormat()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[{"role":"user","content":"Extract the city."}],"verbosity":"low",
             "response_format":{"type":"json_schema","json_schema":{"name":"city","description":"A city","strict":true,
               "schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}}}}
            """);

        JsonAssert.Equal(
            """
            {"verbosity":"low","format":{"type":"json_schema","name":"city","description":"A city","strict":true,
              "schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}}}
            """,
            result.Body!["text"]);
    }

    [Theory]
    [InlineData("{\"type\":\"json_object\"}", "{\"format\":{\"type\":\"json_object\"}}")]
    [InlineData("{\"type\":\"text\"}", "{\"format\":{\"type\":\"text\"}}")]
    [InlineData("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"anything\"}}",
        "{\"format\":{\"type\":\"json_schema\",\"name\":\"anything\",\"schema\":{},\"strict\":false}}")]
    public void Translate_OtherResponseFormats_AreMapped(string responseFormat, string expectedText)
    {
        var result = Translate($$"""{"model":"gpt-5.5","messages":[{"role":"user","content":"json please"}],"response_format":{{responseFormat}}}""");

        JsonAssert.Equal(expectedText, result.Body!["text"]);
    }

    [Fact]
    public void Translate_ReasoningEffortAndCacheKey_AreCarriedOver()
    {
        var result = Translate(
            """{"model":"gpt-5.5","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"high","prompt_cache_key":"thread-42"}""");

        JsonAssert.Equal("""{"effort":"high"}""", result.Body!["reasoning"]);
        Assert.Equal("thread-42", (string?)result.Body["prompt_cache_key"]);
        Assert.False(result.Body.ContainsKey("include"));
        Assert.False(result.Body.ContainsKey("instructions"));
        Assert.False(result.Body.ContainsKey("text"));
    }

    [Fact]
    public void Translate_LeavesTheClientRequestUntouchedAndSharesNoNodes()
    {
        var request = JsonNode.Parse(
            """
            {"model":"gpt-5.5","messages":[{"role":"user","content":"Hi"}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],
             "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"}}}}
            """)!.AsObject();
        var before = request.DeepClone();

        var result = ChatRequestTranslator.Translate(request);
        result.Body!["tools"]![0]!["parameters"]!["type"] = "changed";
        result.Body["text"]!["format"]!["schema"]!["type"] = "changed";

        Assert.True(JsonNode.DeepEquals(before, request));
    }

    internal static ChatRequestTranslation Translate(string json) =>
        ChatRequestTranslator.Translate(JsonNode.Parse(json)!.AsObject());
}
