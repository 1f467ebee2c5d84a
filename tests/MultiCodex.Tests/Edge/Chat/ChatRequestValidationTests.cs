using MultiCodex.Edge.V1.Chat;
using static MultiCodex.Tests.Edge.Chat.ChatRequestTranslatorTests;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Invalid requests are refused with OpenAI-style messages naming the offending parameter.</summary>
public sealed class ChatRequestValidationTests
{
    private const string Hi = """[{"role":"user","content":"Hi"}]""";

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "model", "you must provide a model parameter")]
    [InlineData("""{"model":5,"messages":[{"role":"user","content":"Hi"}]}""", "model", "Invalid type for 'model': expected a string, but got a number instead.")]
    [InlineData("""{"model":"gpt-5.5"}""", "messages", "Missing required parameter: 'messages'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[]}""", "messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")]
    [InlineData("""{"model":"gpt-5.5","messages":"Hi"}""", "messages", "Invalid type for 'messages': expected an array, but got a string instead.")]
    [InlineData("""{"model":"gpt-5.5","messages":["Hi"]}""", "messages[0]", "Invalid type for 'messages[0]': expected an object, but got a string instead.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"content":"Hi"}]}""", "messages[0].role", "Missing required parameter: 'messages[0].role'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"robot","content":"Hi"}]}""", "messages[0].role", "Invalid value: 'robot'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"user"}]}""", "messages[0].content", "Missing required parameter: 'messages[0].content'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"user","content":42}]}""", "messages[0].content", "Invalid type for 'messages[0].content': expected a string or an array of content parts, but got a number instead.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"user","content":[{"type":"video","video":{}}]}]}""", "messages[0].content[0].type", "Invalid value: 'video'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"detail":"low"}}]}]}""", "messages[0].content[0].image_url.url", "Missing required parameter: 'messages[0].content[0].image_url.url'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"system","content":[{"type":"image_url","image_url":"https://x/y.png"}]}]}""", "messages[0].content[0].type", "Invalid value: 'image_url'. Supported values are: 'text'.")]
    [InlineData("""{"model":"gpt-5.5","messages":[{"role":"function","name":"f","content":"1"}]}""", "messages[0].role", "Messages with role 'function' (the deprecated functions API) are not supported; use 'tool' messages with a 'tool_call_id'.")]
    public void Translate_InvalidRequest_ReturnsOpenAiStyleError(string json, string param, string message)
    {
        var result = Translate(json);

        Assert.False(result.IsValid);
        Assert.Null(result.Body);
        Assert.Equal(new ChatRequestError(message, param), result.Error);
    }

    [Theory]
    [InlineData("\"n\":2", "n", "Invalid 'n': only n=1 is supported, but got 2.")]
    [InlineData("\"n\":\"two\"", "n", "Invalid type for 'n': expected an integer, but got a string instead.")]
    [InlineData("\"stream\":\"yes\"", "stream", "Invalid type for 'stream': expected a boolean, but got a string instead.")]
    [InlineData("\"stream_options\":{\"include_usage\":1}", "stream_options.include_usage", "Invalid type for 'stream_options.include_usage': expected a boolean, but got a number instead.")]
    [InlineData("\"functions\":[{\"name\":\"f\"}]", "functions", "The deprecated 'functions' parameter is not supported; use 'tools' and 'tool_choice' instead.")]
    [InlineData("\"tools\":{}", "tools", "Invalid type for 'tools': expected an array, but got an object instead.")]
    [InlineData("\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"patch\"}}]", "tools[0].type", "Invalid value: 'custom'. Supported values are: 'function'.")]
    [InlineData("\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"d\"}}]", "tools[0].function.name", "Missing required parameter: 'tools[0].function.name'.")]
    [InlineData("\"tool_choice\":\"sometimes\"", "tool_choice", "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'.")]
    [InlineData("\"tool_choice\":{\"type\":\"function\"}", "tool_choice.function", "Missing required parameter: 'tool_choice.function'.")]
    [InlineData("\"response_format\":{\"type\":\"xml\"}", "response_format.type", "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.")]
    [InlineData("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}", "response_format.json_schema.name", "Missing required parameter: 'response_format.json_schema.name'.")]
    [InlineData("\"reasoning_effort\":3", "reasoning_effort", "Invalid type for 'reasoning_effort': expected a string, but got a number instead.")]
    public void Translate_InvalidParameter_ReturnsOpenAiStyleError(string field, string param, string message)
    {
        var result = Translate($$"""{"model":"gpt-5.5",{{field}},"messages":{{Hi}}}""");

        Assert.False(result.IsValid);
        Assert.Equal(param, result.Error.Param);
        Assert.Equal(message, result.Error.Message);
    }

    [Fact]
    public void ToolMessageWithoutToolCallId_IsRejected()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","content":"done"}]}
            """);

        Assert.Equal("messages[1].tool_call_id", result.Error?.Param);
        Assert.Equal("Missing required parameter: 'messages[1].tool_call_id'.", result.Error?.Message);
    }

    [Fact]
    public void ToolMessageAnsweringNoCall_IsRejected()
    {
        var result = Translate(
            """{"model":"gpt-5.5","messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"call_ghost","content":"done"}]}""");

        Assert.Equal("messages[1].tool_call_id", result.Error?.Param);
        Assert.Contains("must be a response to a preceding message with 'tool_calls'", result.Error?.Message);
        Assert.Contains("call_ghost", result.Error?.Message);
    }

    [Fact]
    public void ToolCallWithoutResult_IsRejectedBeforeTheUpstreamSeesIt()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"user","content":"Hi"},
              {"role":"assistant","tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}},
                {"id":"call_2","type":"function","function":{"name":"g","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"done"}]}
            """);

        Assert.Equal("messages[1].role", result.Error?.Param);
        Assert.Equal(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
            "The following tool_call_ids did not have response messages: call_2",
            result.Error?.Message);
    }

    [Fact]
    public void FileReferencedById_IsRejected()
    {
        var result = Translate(
            """{"model":"gpt-5.5","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}""");

        Assert.Equal("messages[0].content[0].file.file_id", result.Error?.Param);
        Assert.Equal("File references ('file_id') are not supported; send the file inline as 'file_data'.", result.Error?.Message);
    }

    [Fact]
    public void ToolCallOfAnotherType_IsRejected()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"custom","custom":{"name":"patch","input":"x"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"ok"}]}
            """);

        Assert.Equal("messages[0].tool_calls[0].type", result.Error?.Param);
    }
}
