using MultiCodex.Edge.V1.Chat;
using static MultiCodex.Tests.Edge.Chat.ChatStreams;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>How a translated stream ends: finish reasons, the usage chunk, and in-stream upstream errors.</summary>
public sealed class ChatStreamEndingTests
{
    [Fact]
    public void IncludeUsage_AddsAUsageChunkAfterTheFinish_AndNullUsageBefore()
    {
        var upstream = new UpstreamScript().Created().MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Hi").Completed();

        var (_, chunks) = Run(upstream, includeUsage: true);

        Assert.Equal(4, chunks.Count);
        Assert.All(chunks.Take(3), c => Assert.True(c.ContainsKey("usage") && c["usage"] is null));
        Assert.Equal("stop", FinishReason(chunks[2]));
        JsonAssert.Equal(
            """
            {"id":"chatcmpl-7Qd2","object":"chat.completion.chunk","created":1767225601,"model":"gpt-5.5","choices":[],
             "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
                      "prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":200}}}
            """,
            chunks[3]);
    }

    [Fact]
    public void UsageWithoutDetails_CountsThemAsZero()
    {
        var upstream = new UpstreamScript().Created()
            .Completed("""{"input_tokens":10,"input_tokens_details":null,"output_tokens":5,"output_tokens_details":null,"total_tokens":15}""");

        var (_, chunks) = Run(upstream, includeUsage: true);

        JsonAssert.Equal(
            """
            {"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
             "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}
            """,
            chunks[^1]["usage"]);
    }

    [Fact]
    public void WithoutIncludeUsage_NoChunkHasUsage()
    {
        var (_, chunks) = Run(new UpstreamScript().Created().MessageDone(0, "msg_1", "Hi").Completed());

        Assert.DoesNotContain(chunks, c => c.ContainsKey("usage"));
    }

    [Theory]
    [InlineData("max_output_tokens", "length")]
    [InlineData("content_filter", "content_filter")]
    public void IncompleteResponse_MapsItsReasonToFinishReason(string reason, string finishReason)
    {
        var upstream = new UpstreamScript().Created().MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Once upon").Incomplete(reason);

        var (translator, chunks) = Run(upstream, includeUsage: true);

        Assert.Equal(finishReason, FinishReason(chunks[^2]));
        Assert.Equal(1500, (long)chunks[^1]["usage"]!["total_tokens"]!);
        Assert.True(translator.Finished);
    }

    [Fact]
    public void FailedResponse_ProducesNoChunkButAnErrorPayload()
    {
        var upstream = new UpstreamScript().Created().MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Par")
            .Failed("context_length_exceeded", "Your input exceeds the context window of this model.");

        var (translator, chunks) = Run(upstream);

        Assert.Equal(2, chunks.Count);
        Assert.True(translator.Finished);
        JsonAssert.Equal(
            """
            {"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error",
                      "code":"context_length_exceeded","param":null}}
            """,
            ErrorJson(translator.Error));
    }

    [Fact]
    public void ErrorEvent_TopLevelOrNested_ProducesAnErrorPayload()
    {
        var flat = new ChatStreamTranslator("gpt-5.5", false, Created, Id);
        var nested = new ChatStreamTranslator("gpt-5.5", false, Created, Id);

        var flatChunks = Feed(flat, new UpstreamScript().Error("server_is_overloaded", "Selected model is at capacity. Please try a different model."));
        var nestedChunks = Feed(nested, new UpstreamScript().Add("error",
            """{"status":429,"error":{"type":"usage_limit_reached","code":"usage_limit_reached","message":"The usage limit has been reached"}}"""));

        Assert.Empty(flatChunks);
        Assert.Empty(nestedChunks);
        JsonAssert.Equal(
            """{"error":{"message":"Selected model is at capacity. Please try a different model.","type":"server_error","code":"server_is_overloaded","param":null}}""",
            ErrorJson(flat.Error));
        JsonAssert.Equal(
            """{"error":{"message":"The usage limit has been reached","type":"usage_limit_reached","code":"usage_limit_reached","param":null}}""",
            ErrorJson(nested.Error));
    }

    [Fact]
    public void EventsAfterTheEnd_AreIgnored()
    {
        var translator = new ChatStreamTranslator("gpt-5.5", false, Created, Id);
        Feed(translator, new UpstreamScript().Created().Completed());

        var late = Feed(translator, new UpstreamScript().TextDelta(0, "msg_9", "late").Completed());

        Assert.Empty(late);
    }
}
