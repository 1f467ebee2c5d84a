using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Chat;
using static MultiCodex.Tests.Edge.Chat.ChatStreams;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Upstream Responses SSE events in, <c>chat.completion.chunk</c> objects out.</summary>
public sealed class ChatStreamTranslatorTests
{
    [Fact]
    public void TextStream_YieldsRoleContentAndStop_InOpenAiChunkShape()
    {
        var upstream = new UpstreamScript()
            .Created().InProgress()
            .MessageAdded(0, "msg_1").ContentPartAdded(0, "msg_1")
            .TextDelta(0, "msg_1", "Hel").TextDelta(0, "msg_1", "lo!")
            .TextDone(0, "msg_1", "Hello!").MessageDone(0, "msg_1", "Hello!")
            .Completed();

        var (translator, chunks) = Run(upstream);

        Assert.Equal(4, chunks.Count);
        JsonAssert.Equal(
            """
            {"id":"chatcmpl-7Qd2","object":"chat.completion.chunk","created":1767225601,"model":"gpt-5.5",
             "choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}
            """,
            chunks[0]);
        Assert.Equal(["Hel", "lo!"], chunks.Skip(1).Take(2).Select(c => (string?)Delta(c)["content"]));
        JsonAssert.Equal(
            """
            {"id":"chatcmpl-7Qd2","object":"chat.completion.chunk","created":1767225601,"model":"gpt-5.5",
             "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}
            """,
            chunks[3]);
        Assert.True(translator.Finished);
        Assert.Null(translator.Error);
    }

    [Fact]
    public void StreamedToolCall_OpensTheCallThenStreamsItsArguments()
    {
        var upstream = new UpstreamScript()
            .Created()
            .FunctionCallAdded(0, "fc_1", "call_weather", "get_weather")
            .ArgumentsDelta(0, "fc_1", "{\"city\"").ArgumentsDelta(0, "fc_1", ":\"Paris\"}")
            .ArgumentsDone(0, "fc_1", "{\"city\":\"Paris\"}")
            .FunctionCallDone(0, "fc_1", "call_weather", "get_weather", "{\"city\":\"Paris\"}")
            .Completed();

        var (_, chunks) = Run(upstream);

        Assert.Equal(5, chunks.Count);
        JsonAssert.Equal(
            """{"tool_calls":[{"index":0,"id":"call_weather","type":"function","function":{"name":"get_weather","arguments":""}}]}""",
            Delta(chunks[1]));
        JsonAssert.Equal("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\""}}]}""", Delta(chunks[2]));
        JsonAssert.Equal("""{"tool_calls":[{"index":0,"function":{"arguments":":\"Paris\"}"}}]}""", Delta(chunks[3]));
        Assert.Equal("tool_calls", FinishReason(chunks[4]));
    }

    [Fact]
    public void ParallelToolCallsAfterReasoningAndText_GetConsecutiveIndexes()
    {
        var upstream = new UpstreamScript()
            .Created()
            .ReasoningAdded(0, "rs_1").ReasoningDone(0, "rs_1")
            .MessageAdded(1, "msg_1").TextDelta(1, "msg_1", "Checking.").MessageDone(1, "msg_1", "Checking.")
            .FunctionCallAdded(2, "fc_a", "call_a", "f").ArgumentsDelta(2, "fc_a", "{}")
            .FunctionCallAdded(3, "fc_b", "call_b", "g").ArgumentsDelta(3, "fc_b", "{\"x\":1}")
            .FunctionCallDone(2, "fc_a", "call_a", "f", "{}")
            .FunctionCallDone(3, "fc_b", "call_b", "g", "{\"x\":1}")
            .Completed();

        var (_, chunks) = Run(upstream);

        var calls = chunks.Select(c => Delta(c)["tool_calls"]?[0]).OfType<JsonNode>().ToList();
        Assert.Equal([0, 0, 1, 1], calls.Select(c => (int)c["index"]!));
        Assert.Equal(["call_a", "call_b"], calls.Select(c => (string?)c["id"]).OfType<string>());
        Assert.Equal("tool_calls", FinishReason(chunks[^1]));
    }

    [Fact]
    public void FunctionCallSentOnlyAsDone_IsEmittedWhole()
    {
        var upstream = new UpstreamScript()
            .Created()
            .FunctionCallDone(0, "fc_1", "call_1", "lookup", "{\"q\":\"x\"}")
            .Completed();

        var (_, chunks) = Run(upstream);

        JsonAssert.Equal(
            """{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"x\"}"}}]}""",
            Delta(chunks[1]));
        Assert.Equal("tool_calls", FinishReason(chunks[2]));
    }

    [Fact]
    public void DoneItemsLongerThanTheirDeltas_SendTheMissingRest()
    {
        var upstream = new UpstreamScript()
            .Created()
            .FunctionCallAdded(0, "fc_1", "call_1", "f").ArgumentsDelta(0, "fc_1", "{\"a\":")
            .FunctionCallDone(0, "fc_1", "call_1", "f", "{\"a\":1}")
            .MessageAdded(1, "msg_1").TextDelta(1, "msg_1", "Hel")
            .MessageDone(1, "msg_1", "Hello")
            .Completed();

        var (_, chunks) = Run(upstream);

        var arguments = string.Concat(chunks.Select(c => (string?)Delta(c)["tool_calls"]?[0]?["function"]?["arguments"]));
        var content = string.Concat(chunks.Select(c => (string?)Delta(c)["content"]));
        Assert.Equal("{\"a\":1}", arguments);
        Assert.Equal("Hello", content);
    }

    [Fact]
    public void MessageSentOnlyAsDone_IsEmittedAsContent()
    {
        var upstream = new UpstreamScript().Created().MessageDone(0, "msg_1", "All at once.").Completed();

        var (_, chunks) = Run(upstream);

        Assert.Equal("All at once.", (string?)Delta(chunks[1])["content"]);
        Assert.Equal("stop", FinishReason(chunks[2]));
    }

    [Fact]
    public void ReasoningSummary_StreamsAsReasoningContent_WithBlankLinesBetweenParts()
    {
        var upstream = new UpstreamScript()
            .Created()
            .ReasoningAdded(0, "rs_1")
            .SummaryPartAdded(0, "rs_1", 0).SummaryDelta(0, "rs_1", 0, "**Plan**").SummaryDelta(0, "rs_1", 0, " first.")
            .SummaryTextDone(0, "rs_1", 0, "**Plan** first.")
            .SummaryPartAdded(0, "rs_1", 1).SummaryDelta(0, "rs_1", 1, "Then act.")
            .ReasoningDone(0, "rs_1", "**Plan** first.", "Then act.")
            .MessageAdded(1, "msg_1").TextDelta(1, "msg_1", "Done.").MessageDone(1, "msg_1", "Done.")
            .Completed();

        var (_, chunks) = Run(upstream);

        var reasoning = chunks.Select(c => (string?)Delta(c)["reasoning_content"]).OfType<string>().ToList();
        Assert.Equal(["**Plan**", " first.", "\n\nThen act."], reasoning);
        Assert.Equal("Done.", string.Concat(chunks.Select(c => (string?)Delta(c)["content"])));
    }

    [Fact]
    public void ReasoningSentOnlyAsDone_IsEmittedWhole()
    {
        var upstream = new UpstreamScript()
            .Created().ReasoningAdded(0, "rs_1").ReasoningDone(0, "rs_1", "Step one.", "Step two.").Completed();

        var (_, chunks) = Run(upstream);

        Assert.Equal("Step one.\n\nStep two.", (string?)Delta(chunks[1])["reasoning_content"]);
    }

    [Fact]
    public void TwoMessageItems_AreSeparatedByABlankLine()
    {
        var upstream = new UpstreamScript()
            .Created()
            .MessageAdded(0, "msg_1").TextDelta(0, "msg_1", "Looking.").MessageDone(0, "msg_1", "Looking.")
            .MessageAdded(1, "msg_2").TextDelta(1, "msg_2", "Found").TextDelta(1, "msg_2", " it.").MessageDone(1, "msg_2", "Found it.")
            .Completed();

        var (_, chunks) = Run(upstream);

        Assert.Equal("Looking.\n\nFound it.", string.Concat(chunks.Select(c => (string?)Delta(c)["content"])));
    }

    [Fact]
    public void Refusal_StreamsAsDeltaRefusal()
    {
        var upstream = new UpstreamScript()
            .Created()
            .MessageAdded(0, "msg_1").RefusalDelta(0, "msg_1", "I can't").RefusalDelta(0, "msg_1", " help with that.")
            .RefusalMessageDone(0, "msg_1", "I can't help with that.")
            .Completed();

        var (_, chunks) = Run(upstream);

        Assert.Equal(["I can't", " help with that."], chunks.Select(c => (string?)Delta(c)["refusal"]).OfType<string>());
        Assert.DoesNotContain(chunks.Skip(1), c => Delta(c).ContainsKey("content"));
        Assert.Equal("stop", FinishReason(chunks[^1]));
    }

    [Fact]
    public void EventsThatCarryNothingNew_ProduceNoChunks()
    {
        var translator = new ChatStreamTranslator("gpt-5.5", true, Created, Id);
        Feed(translator, new UpstreamScript().Created());

        var chunks = Feed(translator, new UpstreamScript()
            .InProgress().RateLimits().MessageAdded(0, "msg_1").ContentPartAdded(0, "msg_1").TextDone(0, "msg_1", "")
            .ReasoningAdded(1, "rs_1").SummaryPartAdded(1, "rs_1", 0)
            .Add("response.content_part.done", """{"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":""}}""")
            .Add("codex.response.metadata", """{"metadata":{}}"""));

        Assert.Empty(chunks);
        Assert.False(translator.Finished);
    }

    [Fact]
    public void MissingEventName_FallsBackToDataType_AndRoleComesFirstWithoutCreated()
    {
        var translator = new ChatStreamTranslator("gpt-5.5", false, Created, Id);
        var delta = new UpstreamScript().TextDelta(0, "msg_1", "Hi").Events[0].Data;

        var chunks = Translate(translator, "", delta);

        Assert.Equal(2, chunks.Count);
        Assert.Equal("assistant", (string?)Delta(chunks[0])["role"]);
        Assert.Equal("Hi", (string?)Delta(chunks[1])["content"]);
    }
}
