using static MultiCodex.Tests.Edge.Chat.ChatRequestTranslatorTests;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>How each kind of chat message becomes Responses <c>input</c> items.</summary>
public sealed class ChatRequestMessagesTests
{
    [Fact]
    public void SystemAndDeveloperMessages_BecomeDeveloperItemsInPlace()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":"Hi"},
              {"role":"developer","content":[{"type":"text","text":"Answer in French."},{"type":"text","text":"No emoji."}]}]}
            """);

        JsonAssert.Equal(
            """
            [{"type":"message","role":"developer","content":[{"type":"input_text","text":"You are terse."}]},
             {"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},
             {"type":"message","role":"developer","content":[{"type":"input_text","text":"Answer in French."},{"type":"input_text","text":"No emoji."}]}]
            """,
            result.Body!["input"]);
        Assert.False(result.Body.ContainsKey("instructions"));
    }

    [Fact]
    public void UserContentParts_MapToInputParts()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[{"role":"user","name":"ann","content":[
              {"type":"text","text":"What is in these?"},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
              {"type":"image_url","image_url":"https://example.com/dog.jpg"},
              {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
              {"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}
            """);

        JsonAssert.Equal(
            """
            [{"type":"message","role":"user","content":[
              {"type":"input_text","text":"What is in these?"},
              {"type":"input_image","image_url":"https://example.com/cat.png","detail":"high"},
              {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="},
              {"type":"input_image","image_url":"https://example.com/dog.jpg"},
              {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
              {"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0x","filename":"report.pdf"}]}]
            """,
            result.Body!["input"]);
    }

    [Fact]
    public void AssistantText_AndRefusal_BecomeOutputText()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"user","content":"Hi"},
              {"role":"assistant","content":"Hello!"},
              {"role":"user","content":"Do something bad"},
              {"role":"assistant","content":null,"refusal":"I can't help with that."},
              {"role":"assistant","content":[{"type":"text","text":"Part one. "},{"type":"refusal","refusal":"Not that."}]}]}
            """);

        JsonAssert.Equal(
            """
            [{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello!"}]},
             {"type":"message","role":"user","content":[{"type":"input_text","text":"Do something bad"}]},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"I can't help with that."}]},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Part one. "},{"type":"output_text","text":"Not that."}]}]
            """,
            result.Body!["input"]);
    }

    [Fact]
    public void MultiTurnToolConversation_PairsCallsAndOutputsInOrder()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"system","content":"Use tools."},
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking both.","tool_calls":[
                {"id":"call_paris","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_rome","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"call_paris","content":"18C, cloudy"},
              {"role":"tool","tool_call_id":"call_rome","content":[{"type":"text","text":"24C"},{"type":"text","text":"sunny"}]},
              {"role":"assistant","content":"Paris 18C cloudy; Rome 24C sunny."},
              {"role":"user","content":"Thanks. And Oslo?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_oslo","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"call_oslo","content":"3C, snow"}]}
            """);

        JsonAssert.Equal(
            """
            [{"type":"message","role":"developer","content":[{"type":"input_text","text":"Use tools."}]},
             {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris and Rome?"}]},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking both."}]},
             {"type":"function_call","call_id":"call_paris","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
             {"type":"function_call","call_id":"call_rome","name":"get_weather","arguments":"{\"city\":\"Rome\"}"},
             {"type":"function_call_output","call_id":"call_paris","output":"18C, cloudy"},
             {"type":"function_call_output","call_id":"call_rome","output":"24C\nsunny"},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Paris 18C cloudy; Rome 24C sunny."}]},
             {"type":"message","role":"user","content":[{"type":"input_text","text":"Thanks. And Oslo?"}]},
             {"type":"function_call","call_id":"call_oslo","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"},
             {"type":"function_call_output","call_id":"call_oslo","output":"3C, snow"}]
            """,
            result.Body!["input"]);
    }

    [Fact]
    public void ToolCallArgumentsSentAsObjectOrOmitted_AreSerialised()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"assistant","content":"","tool_calls":[
                {"id":"call_a","type":"function","function":{"name":"f","arguments":{"x":1}}},
                {"id":"call_b","function":{"name":"g"}}]},
              {"role":"tool","tool_call_id":"call_a","content":"ok"},
              {"role":"tool","tool_call_id":"call_b"}]}
            """);

        JsonAssert.Equal(
            """
            [{"type":"function_call","call_id":"call_a","name":"f","arguments":"{\"x\":1}"},
             {"type":"function_call","call_id":"call_b","name":"g","arguments":"{}"},
             {"type":"function_call_output","call_id":"call_a","output":"ok"},
             {"type":"function_call_output","call_id":"call_b","output":""}]
            """,
            result.Body!["input"]);
    }

    [Fact]
    public void ToolResultWithAnImage_IsSentAsAnArrayOfInputParts()
    {
        var result = Translate(
            """
            {"model":"gpt-5.5","messages":[
              {"role":"assistant","tool_calls":[{"id":"call_shot","type":"function","function":{"name":"screenshot","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_shot","content":[
                {"type":"text","text":"Screenshot taken"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}
            """);

        JsonAssert.Equal(
            """
            {"type":"function_call_output","call_id":"call_shot","output":[
              {"type":"input_text","text":"Screenshot taken"},
              {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}
            """,
            result.Body!["input"]![1]);
    }
}
