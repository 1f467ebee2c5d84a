using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MultiCodex.Bench.Upstream;

/// <summary>
/// The fixed answer of the fake upstream: one Codex Responses SSE stream of 48 events and about 11 KB, in the order
/// and shape the ChatGPT backend sends (bench/README.md, "The fake upstream"): created, in_progress, output_item.added,
/// content_part.added, 40 × output_text.delta, output_text.done, content_part.done, output_item.done, completed
/// with usage. Built once as bytes, so serving it costs one write.
/// </summary>
internal static class CodexStream
{
    /// <summary>The number of <c>response.output_text.delta</c> events (48 events in all).</summary>
    public const int DeltaCount = 40;

    public const int EventCount = DeltaCount + 8;

    private const string ResponseId = "resp_bench0000000000000000000000";
    private const string ItemId = "msg_bench0000000000000000000000";
    private const string Model = "gpt-5.5";

    // Declared first: the static properties below are built from it.
    private static readonly string[] Words =
    [
        "Hello", "from", "the", "bench", "upstream:", "naïve", "café", "Grüße", "中文", "日本語", "—", "<b>tags</b>", "&",
        "'quotes'", "a+b", "and", "a", "steady", "stream", "of", "tokens", "that", "looks", "like", "a", "short", "Codex",
        "answer", "with", "plain", "words", "in", "between", "so", "the", "size", "stays", "close", "to", "ten",
    ];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The 40 deltas; their concatenation is <see cref="Text"/>. Non-ASCII and &lt; &gt; &amp; ' + on purpose.</summary>
    public static IReadOnlyList<string> Deltas { get; } = Enumerable.Range(0, DeltaCount)
        .Select(i => (i == 0 ? "" : " ") + Words[i % Words.Length])
        .ToArray();

    /// <summary>What a client should read as the answer's text.</summary>
    public static string Text { get; } = string.Concat(Deltas);

    /// <summary>The whole fast stream.</summary>
    public static byte[] Full { get; } = Build();

    /// <summary>Long-stream mode: what is sent at once (created … content_part.added).</summary>
    public static byte[] Prelude { get; } = Encode(writer => WritePrelude(writer));

    /// <summary>Long-stream mode: the closing events (output_text.done … completed), after the deltas.</summary>
    public static byte[] Closing(int firstSequence) => Encode(writer => WriteClosing(writer, firstSequence));

    /// <summary>Long-stream mode: delta number <paramref name="index"/> (any index; the words repeat).</summary>
    public static byte[] Delta(int index) => Encode(writer => WriteDelta(writer, 4 + index, Deltas[index % DeltaCount]));

    private static byte[] Build() => Encode(writer =>
    {
        WritePrelude(writer);
        for (var i = 0; i < DeltaCount; i++)
        {
            WriteDelta(writer, 4 + i, Deltas[i]);
        }
        WriteClosing(writer, 4 + DeltaCount);
    });

    private static void WritePrelude(SseWriter writer)
    {
        writer.Event("response.created", 0, w => Shell(w, "in_progress", usage: false));
        writer.Event("response.in_progress", 1, w => Shell(w, "in_progress", usage: false));
        writer.Event("response.output_item.added", 2, w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            Message(w, "in_progress", null);
        });
        writer.Event("response.content_part.added", 3, w =>
        {
            w.WriteString("item_id", ItemId);
            w.WriteNumber("output_index", 0);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            OutputText(w, "");
        });
    }

    private static void WriteDelta(SseWriter writer, int sequence, string delta) =>
        writer.Event("response.output_text.delta", sequence, w =>
        {
            w.WriteString("item_id", ItemId);
            w.WriteNumber("output_index", 0);
            w.WriteNumber("content_index", 0);
            w.WriteString("delta", delta);
        });

    private static void WriteClosing(SseWriter writer, int sequence)
    {
        writer.Event("response.output_text.done", sequence, w =>
        {
            w.WriteString("item_id", ItemId);
            w.WriteNumber("output_index", 0);
            w.WriteNumber("content_index", 0);
            w.WriteString("text", Text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
        writer.Event("response.content_part.done", sequence + 1, w =>
        {
            w.WriteString("item_id", ItemId);
            w.WriteNumber("output_index", 0);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            OutputText(w, Text);
        });
        writer.Event("response.output_item.done", sequence + 2, w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            Message(w, "completed", Text);
        });
        writer.Event("response.completed", sequence + 3, w => Shell(w, "completed", usage: true));
    }

    private static void Shell(Utf8JsonWriter w, string status, bool usage)
    {
        w.WriteStartObject("response");
        w.WriteString("id", ResponseId);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", 1_790_000_000);
        w.WriteString("status", status);
        w.WriteBoolean("background", false);
        w.WriteNull("error");
        w.WriteNull("incomplete_details");
        w.WriteString("model", Model);
        w.WriteStartArray("output");
        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", false);
        w.WriteNull("previous_response_id");
        w.WriteStartObject("reasoning");
        w.WriteString("effort", "medium");
        w.WriteString("summary", "auto");
        w.WriteEndObject();
        w.WriteBoolean("store", false);
        w.WriteString("tool_choice", "auto");
        w.WriteStartArray("tools");
        w.WriteEndArray();
        if (usage)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", 1_204);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", 1_024);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", 96);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", 48);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", 1_300);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("usage");
        }
        w.WriteEndObject();
    }

    private static void Message(Utf8JsonWriter w, string status, string? text)
    {
        w.WriteStartObject();
        w.WriteString("id", ItemId);
        w.WriteString("type", "message");
        w.WriteString("status", status);
        w.WriteStartArray("content");
        if (text is not null)
        {
            OutputText(w, text);
        }
        w.WriteEndArray();
        w.WriteString("role", "assistant");
        w.WriteEndObject();
    }

    private static void OutputText(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static byte[] Encode(Action<SseWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new SseWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Frames events as <c>event: X\ndata: {"type":X,"sequence_number":n,…}\n\n</c>.</summary>
    private sealed class SseWriter(ArrayBufferWriter<byte> buffer)
    {
        public void Event(string type, int sequence, Action<Utf8JsonWriter> fields)
        {
            Append("event: " + type + "\ndata: ");
            using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("type", type);
                json.WriteNumber("sequence_number", sequence);
                fields(json);
                json.WriteEndObject();
            }
            Append("\n\n");
        }

        private void Append(string text) => buffer.Write(Encoding.UTF8.GetBytes(text));
    }
}
