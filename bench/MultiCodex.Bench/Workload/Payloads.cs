using System.Buffers;
using System.Text;
using System.Text.Json;

namespace MultiCodex.Bench.Workload;

/// <summary>
/// The request bodies, written as the clients write them: compact JSON, non-ASCII characters and
/// <c>&lt; &gt; &amp; ' +</c> left as they are (as JSON.stringify and Python's json with ensure_ascii=False do).
/// Small: a one-question request. Large: about 1 MiB of Codex conversation — 200 input items (user and assistant
/// messages, reasoning, shell calls and their outputs) and 12 tools — what a long Codex session re-sends on every
/// HTTP turn. Chat Completions bodies carry the same conversation as messages.
/// </summary>
internal static class Payloads
{
    /// <summary>The conversation's item count.</summary>
    public const int LargeItems = 200;

    /// <summary>The tool count of the large bodies.</summary>
    public const int LargeTools = 12;

    /// <summary>A string that must reach the upstream intact (it sits in the first and the last item).</summary>
    public const string Sentinel = "Grüße <b>&</b> 'quoted' a+b 中文 — naïve 🚀";

    private const int TargetBytes = 1024 * 1024;
    private const string Model = "gpt-5.5";

    public static byte[] ResponsesSmall(bool stream, bool longStream = false) => Write(w =>
    {
        w.WriteString("model", Model);
        Str(w, "instructions", "You are a helpful assistant.");
        w.WriteStartArray("input");
        ConversationWriter.ResponsesMessage(w, "user", "input_text", "Say hello in one short paragraph.");
        w.WriteEndArray();
        w.WriteString("tool_choice", "auto");
        w.WriteBoolean("parallel_tool_calls", false);
        w.WriteStartObject("reasoning");
        w.WriteString("effort", "low");
        w.WriteString("summary", "auto");
        w.WriteEndObject();
        w.WriteBoolean("store", false);
        w.WriteBoolean("stream", stream);
        w.WriteStartArray("include");
        w.WriteStringValue("reasoning.encrypted_content");
        w.WriteEndArray();
        if (longStream)
        {
            // The fake upstream answers with a slow stream when it finds this (UpstreamHandler.LongStreamMarker).
            w.WriteStartObject("client_metadata");
            w.WriteString("bench_stream", "long");
            w.WriteEndObject();
        }
    });

    public static byte[] ChatSmall() => Write(w =>
    {
        w.WriteString("model", Model);
        w.WriteStartArray("messages");
        ConversationWriter.ChatMessage(w, "system", "You are a helpful assistant.");
        ConversationWriter.ChatMessage(w, "user", "Say hello in one short paragraph.");
        w.WriteEndArray();
        ChatStreamOptions(w);
    });

    public static byte[] ResponsesLarge(bool stream) => Sized(unit => Write(w =>
    {
        w.WriteString("model", Model);
        Str(w, "instructions", ConversationWriter.Instructions);
        w.WriteStartArray("input");
        new ConversationWriter(unit).WriteResponsesItems(w, LargeItems);
        w.WriteEndArray();
        w.WriteStartArray("tools");
        ConversationWriter.WriteTools(w, LargeTools, chat: false);
        w.WriteEndArray();
        w.WriteString("tool_choice", "auto");
        w.WriteBoolean("parallel_tool_calls", false);
        w.WriteStartObject("reasoning");
        w.WriteString("effort", "medium");
        w.WriteString("summary", "auto");
        w.WriteEndObject();
        w.WriteBoolean("store", false);
        w.WriteBoolean("stream", stream);
        w.WriteStartArray("include");
        w.WriteStringValue("reasoning.encrypted_content");
        w.WriteEndArray();
        w.WriteString("prompt_cache_key", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        w.WriteStartObject("client_metadata");
        w.WriteString("x-codex-installation-id", "4b0c8d52-7a7e-4c55-9e38-2f1f4b8a9d10");
        w.WriteEndObject();
    }));

    public static byte[] ChatLarge() => Sized(unit => Write(w =>
    {
        w.WriteString("model", Model);
        w.WriteStartArray("messages");
        ConversationWriter.ChatMessage(w, "system", ConversationWriter.Instructions);
        new ConversationWriter(unit).WriteChatMessages(w, LargeItems);
        w.WriteEndArray();
        w.WriteStartArray("tools");
        ConversationWriter.WriteTools(w, LargeTools, chat: true);
        w.WriteEndArray();
        ChatStreamOptions(w);
    }));

    /// <summary>Writes a string property without escaping anything JSON allows raw (emoji, &lt;, &amp;, …).</summary>
    public static void Str(Utf8JsonWriter w, string name, string value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(Quote(value));
    }

    public static void StrValue(Utf8JsonWriter w, string value) => w.WriteRawValue(Quote(value));

    private static void ChatStreamOptions(Utf8JsonWriter w)
    {
        w.WriteBoolean("stream", true);
        w.WriteStartObject("stream_options");
        w.WriteBoolean("include_usage", true);
        w.WriteEndObject();
    }

    // The filler per item scales linearly with `unit`: two trial sizes give the unit that lands on 1 MiB.
    private static byte[] Sized(Func<int, byte[]> build)
    {
        var (a, b) = (build(1000).Length, build(2000).Length);
        var unit = 1000 + (int)((long)(TargetBytes - a) * 1000 / (b - a));
        return build(Math.Max(1, unit));
    }

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\t' => quoted.Append("\\t"),
                < ' ' => quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => quoted.Append(c),
            };
        }
        return quoted.Append('"').ToString();
    }
}
