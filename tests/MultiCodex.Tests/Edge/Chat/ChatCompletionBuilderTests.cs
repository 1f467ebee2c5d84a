using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Chat;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Non-streaming clients get one <c>chat.completion</c> aggregated from the upstream stream.</summary>
public sealed class ChatCompletionBuilderTests
{
    [Fact]
    public void TextWithReasoning_BuildsACompleteChatCompletion()
    {
        var builder = Run(new UpstreamScript()
            .Created()
            .ReasoningAdded(0, "rs_1").SummaryDelta(0, "rs_1", 0, "Greet back.").ReasoningDone(0, "rs_1", "Greet back.")
            .MessageAdded(1, "msg_1").TextDelta(1, "msg_1", "Hello").TextDelta(1, "msg_1", " there!")
            .MessageDone(1, "msg_1", "Hello there!")
            .Completed());

        JsonAssert.Equal(
            """
            {"id":"chatcmpl-9zz","object":"chat.completion","created":1767225601,"model":"gpt-5.5",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!","refusal":null,"reasoning_content":"Greet back."},
                         "logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
                      "prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":200}}}
            """,
            Build(builder));
    }

    [Fact]
    public void ToolCallsOnly_HaveNullContent_EvenWhenCompletedOutputIsEmpty()
    {
        var builder = Run(new UpstreamScript()
            .Created()
            .FunctionCallAdded(0, "fc_1", "call_a", "get_weather").ArgumentsDelta(0, "fc_1", "{\"city\":").ArgumentsDelta(0, "fc_1", "\"Oslo\"}")
            .FunctionCallDone(0, "fc_1", "call_a", "get_weather", "{\"city\":\"Oslo\"}")
            .FunctionCallDone(1, "fc_2", "call_b", "get_time", "{}")
            .Completed());

        var choice = Build(builder)["choices"]![0]!;

        Assert.Equal("tool_calls", (string?)choice["finish_reason"]);
        JsonAssert.Equal(
            """
            {"role":"assistant","content":null,"refusal":null,"tool_calls":[
              {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
              {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]}
            """,
            choice["message"]);
    }

    [Fact]
    public void Refusal_FillsRefusalAndLeavesContentNull()
    {
        var builder = Run(new UpstreamScript()
            .Created().MessageAdded(0, "msg_1").RefusalDelta(0, "msg_1", "I can't help with that.")
            .RefusalMessageDone(0, "msg_1", "I can't help with that.").Completed());

        var message = Build(builder)["choices"]![0]!["message"]!;

        Assert.Null(message["content"]);
        Assert.Equal("I can't help with that.", (string?)message["refusal"]);
    }

    [Fact]
    public void MessageOnlyInDoneEvents_IsStillCollected()
    {
        var builder = Run(new UpstreamScript().Created().MessageDone(0, "msg_1", "From done only.").Completed());

        Assert.Equal("From done only.", (string?)Build(builder)["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public void EmptyResponse_HasEmptyContent()
    {
        var builder = Run(new UpstreamScript().Created().Completed());

        Assert.Equal("", (string?)Build(builder)["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public void IncompleteResponse_FinishesWithLength()
    {
        var builder = Run(new UpstreamScript().Created().MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Once upon").Incomplete("max_output_tokens"));

        var completion = Build(builder);

        Assert.Equal("length", (string?)completion["choices"]![0]!["finish_reason"]);
        Assert.Equal("Once upon", (string?)completion["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public void FailedResponse_ExposesTheErrorAndRefusesToBuild()
    {
        var builder = Run(new UpstreamScript().Created().Failed("rate_limit_exceeded", "Rate limit reached. Please try again in 11s."));

        Assert.True(builder.Finished);
        Assert.Equal("rate_limit_exceeded", builder.Error!.Code);
        Assert.Throws<InvalidOperationException>(() => Build(builder));
    }

    [Fact]
    public void UnfinishedResponse_RefusesToBuild()
    {
        var builder = Run(new UpstreamScript().Created().MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Hel"));

        Assert.False(builder.Finished);
        Assert.Throws<InvalidOperationException>(() => Build(builder));
    }

    [Fact]
    public void ToolCallsFromACompletion_RoundTripIntoTheNextRequest()
    {
        var completion = Build(Run(new UpstreamScript()
            .Created().FunctionCallDone(0, "fc_1", "call_xyz", "get_weather", "{\"city\":\"Oslo\"}").Completed()));
        var assistant = completion["choices"]![0]!["message"]!.DeepClone();
        var request = new JsonObject
        {
            ["model"] = "gpt-5.5",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Weather in Oslo?" },
                assistant,
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_xyz", ["content"] = "3C" }),
        };

        var next = ChatRequestTranslator.Translate(request);

        Assert.True(next.IsValid);
        JsonAssert.Equal(
            """
            [{"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Oslo?"}]},
             {"type":"function_call","call_id":"call_xyz","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"},
             {"type":"function_call_output","call_id":"call_xyz","output":"3C"}]
            """,
            next.Body["input"]);
    }

    private static ChatCompletionBuilder Run(UpstreamScript upstream)
    {
        var builder = new ChatCompletionBuilder("gpt-5.5", 1767225601, "chatcmpl-9zz");
        foreach (var (type, data) in upstream.Events)
        {
            builder.Read(ChatStreams.Event(type, data));
        }

        return builder;
    }

    /// <summary>The completion the Edge would answer with.</summary>
    private static JsonObject Build(ChatCompletionBuilder builder)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(output))
        {
            builder.Write(json);
        }
        return JsonNode.Parse(output.WrittenSpan)!.AsObject();
    }
}
