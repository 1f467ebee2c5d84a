using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Http;
using MultiCodex.Edge.V1;
using MultiCodex.Edge.V1.Chat;
using MultiCodex.Tests.Edge.Chat;

namespace MultiCodex.Tests.Edge.V1;

/// <summary>
/// Chat Completions ↔ Responses, for generated conversations and streams: nothing a client or the model said is
/// lost, reordered or mangled, however the upstream splits its deltas; streaming and aggregated answers agree.
/// </summary>
public sealed class ChatTranslationPropertyTests
{
    private static readonly Gen<string> Text = Gen.Char["ab \"\\\n\té日<>&'+"].Array[0, 12].Select(chars => new string(chars));

    /// <summary>An output item: its kind, its text cut into deltas (for reasoning: one list per summary part), and how many deltas are streamed before done.</summary>
    private sealed record Item(string Kind, string[][] Parts, int Streamed);

    private static readonly Gen<Item> GenItem = Gen.Select(Gen.Int[0, 2], Text.Array[0, 4].Array[1, 3], Gen.Int[0, 12], (kind, parts, streamed) =>
        new Item(kind switch { 0 => "message", 1 => "reasoning", _ => "function_call" }, kind == 1 ? parts : [parts[0]], streamed));

    [Fact]
    public void Stream_AnyDeltaSplit_YieldsTheWholeText_AndAgreesWithTheAggregatedAnswer()
    {
        GenItem.Array[0, 5].Sample(items =>
        {
            var script = Script(items);
            var (translator, chunks) = ChatStreams.Run(script);
            var builder = new ChatCompletionBuilder("gpt-5.5", ChatStreams.Created, ChatStreams.Id);
            foreach (var (type, data) in script.Events)
            {
                builder.Read(ChatStreams.Event(type, data));
            }
            var completion = Build(builder)["choices"]![0]!;

            var content = string.Concat(chunks.Select(c => (string?)ChatStreams.Delta(c)["content"]));
            var reasoning = string.Concat(chunks.Select(c => (string?)ChatStreams.Delta(c)["reasoning_content"]));
            var calls = chunks.SelectMany(c => ChatStreams.Delta(c)["tool_calls"]?.AsArray() ?? []).GroupBy(c => (int)c!["index"]!)
                .Select(g => string.Concat(g.Select(c => (string?)c!["function"]!["arguments"]))).ToList();
            var expectedContent = Join(items.Where(i => i.Kind == "message").Select(i => string.Concat(i.Parts[0])));
            var expectedReasoning = Join(items.Where(i => i.Kind == "reasoning").Select(i => Join(i.Parts.Select(p => string.Concat(p)))));
            var expectedCalls = items.Where(i => i.Kind == "function_call").Select(i => string.Concat(i.Parts[0])).ToList();
            var hasCalls = expectedCalls.Count > 0;

            return translator.Finished && content == expectedContent && reasoning == expectedReasoning && calls.SequenceEqual(expectedCalls)
                && ChatStreams.FinishReason(chunks[^1]) == (hasCalls ? "tool_calls" : "stop")
                && (string?)completion["message"]!["content"] == (expectedContent.Length > 0 ? expectedContent : hasCalls ? null : "")
                && (string?)completion["message"]!["reasoning_content"] == (expectedReasoning.Length > 0 ? expectedReasoning : null)
                && (completion["message"]!["tool_calls"]?.AsArray().Select(c => (string?)c!["function"]!["arguments"]) ?? []).SequenceEqual(expectedCalls)
                && (string?)completion["finish_reason"] == (hasCalls ? "tool_calls" : "stop");
        }, iter: 400);
    }

    /// <summary>A conversation turn: who speaks, what they say, and for an assistant the tool calls it makes (answered next).</summary>
    private sealed record Turn(string Role, string Content, int ToolCalls);

    private static readonly Gen<Turn> GenTurn = Gen.Select(Gen.Int[0, 3], Text, Gen.Int[0, 2], (role, content, calls) =>
        new Turn(role switch { 0 => "system", 1 => "developer", 2 => "user", _ => "assistant" }, content, role == 3 ? calls : 0));

    [Fact]
    public void Request_AnyConversation_KeepsEveryTextInOrder_AndPairsEveryToolCall()
    {
        GenTurn.Array[1, 8].Sample(turns =>
        {
            var messages = new JsonArray();
            var expected = new List<(string Type, string? Role, string Text)>();
            var call = 0;
            foreach (var turn in turns)
            {
                var message = new JsonObject { ["role"] = turn.Role, ["content"] = turn.Content };
                if (turn.Role != "assistant" || turn.Content.Length > 0)
                {
                    expected.Add(("message", turn.Role == "system" ? "developer" : turn.Role, turn.Content));
                }
                var ids = Enumerable.Range(0, turn.ToolCalls).Select(_ => $"call_{call++}").ToList();
                if (ids.Count > 0)
                {
                    message["tool_calls"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject
                    {
                        ["id"] = id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = "{\"q\":\"" + id + "\"}" },
                    }).ToArray());
                }
                messages.Add(message);
                expected.AddRange(ids.Select(id => ("function_call", (string?)null, id)));
                foreach (var id in ids)
                {
                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = "result " + id });
                    expected.Add(("function_call_output", null, id));
                }
            }
            var body = new JsonObject { ["model"] = "gpt-5.5", ["messages"] = messages }.ToJsonString();

            var input = Translate(body)["input"]!.AsArray();

            var actual = input.Select(item => ((string)item!["type"]!, (string?)item["role"],
                (string?)item["type"] == "message" ? string.Concat(item["content"]!.AsArray().Select(p => (string?)p!["text"])) : (string)item["call_id"]!)).ToList();
            return actual.SequenceEqual(expected);
        }, iter: 400);
    }

    /// <summary>The upstream body exactly as the Edge sends it (translated, then written by the Edge's JSON writer).</summary>
    private static JsonNode Translate(string body)
    {
        var transport = new HttpSseTransport(new DefaultHttpContext());
        var translation = new ChatDialect(TimeProvider.System).TranslateAsync(Encoding.UTF8.GetBytes(body), transport, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Assert.True(translation.Error is null, translation.Error?.Message);
        using var request = translation.Request!;
        return JsonNode.Parse(request.Body.Span)!;
    }

    private static UpstreamScript Script(Item[] items)
    {
        var script = new UpstreamScript().Created();
        for (var i = 0; i < items.Length; i++)
        {
            var (kind, parts, streamed) = items[i];
            var id = $"it_{i}";
            var sent = 0;
            switch (kind)
            {
                case "message":
                    script.MessageAdded(i, id);
                    foreach (var delta in parts[0].Take(streamed))
                    {
                        script.TextDelta(i, id, delta);
                    }
                    script.MessageDone(i, id, string.Concat(parts[0]));
                    break;
                case "reasoning":
                    script.ReasoningAdded(i, id);
                    for (var p = 0; p < parts.Length; p++)
                    {
                        foreach (var delta in parts[p])
                        {
                            if (sent++ < streamed)
                            {
                                script.SummaryDelta(i, id, p, delta);
                            }
                        }
                    }
                    script.ReasoningDone(i, id, parts.Select(p => string.Concat(p)).ToArray());
                    break;
                default:
                    var callId = $"call_{i}";
                    if (streamed > 0)
                    {
                        script.FunctionCallAdded(i, id, callId, "fn");
                        foreach (var delta in parts[0].Take(streamed))
                        {
                            script.ArgumentsDelta(i, id, delta);
                        }
                    }
                    script.FunctionCallDone(i, id, callId, "fn", string.Concat(parts[0]));
                    break;
            }
        }
        return script.Completed();
    }

    // Texts of separate items (and non-empty summary parts) are joined with a blank line.
    private static string Join(IEnumerable<string> texts) => string.Join("\n\n", texts.Where(t => t.Length > 0));

    private static JsonObject Build(ChatCompletionBuilder builder)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            builder.Write(json);
        }
        return JsonNode.Parse(output.WrittenSpan)!.AsObject();
    }
}
