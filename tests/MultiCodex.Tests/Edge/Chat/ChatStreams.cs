using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Chat;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Feeds <see cref="UpstreamScript"/> through a <see cref="ChatStreamTranslator"/> and reads the chunks it writes.</summary>
internal static class ChatStreams
{
    public const string Id = "chatcmpl-7Qd2";
    public const long Created = 1767225601;

    public static (ChatStreamTranslator Translator, List<JsonObject> Chunks) Run(UpstreamScript upstream, bool includeUsage = false)
    {
        var translator = new ChatStreamTranslator("gpt-5.5", includeUsage, Created, Id);
        return (translator, Feed(translator, upstream));
    }

    public static List<JsonObject> Feed(ChatStreamTranslator translator, UpstreamScript upstream) =>
        upstream.Events.SelectMany(e => Translate(translator, e.Type, e.Data)).ToList();

    /// <summary>One event through the translator; the chunks it wrote, as JSON objects.</summary>
    public static List<JsonObject> Translate(ChatStreamTranslator translator, string type, JsonElement data)
    {
        var sink = new CapturingSink();
        translator.Translate(Event(type, data), sink);
        return sink.Payloads.Select(p => JsonNode.Parse(p)!.AsObject()).ToList();
    }

    /// <summary>An upstream event as the pipeline's reader hands it on: classified by name, the terminal one parsed.</summary>
    public static UpstreamEvent Event(string type, JsonElement data)
    {
        var payload = Encoding.UTF8.GetBytes(data.GetRawText());
        var name = Encoding.UTF8.GetBytes(type);
        var raw = Encoding.UTF8.GetBytes($"event: {type}\ndata: {data.GetRawText()}\n\n");
        var sse = new SseEvent(raw, name, payload);
        var kind = UpstreamEventKinds.Classify(sse);
        return new UpstreamEvent(sse, kind, kind.IsTerminal() ? TerminalFacts.Parse(kind, payload) : null);
    }

    /// <summary>An error as the Edge writes it to a client: <c>{"error":{…}}</c>.</summary>
    public static JsonNode? ErrorJson(ClientError? error)
    {
        if (error is null)
        {
            return null;
        }
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            OpenAiErrors.WriteBody(json, error);
        }
        return JsonNode.Parse(output.WrittenSpan);
    }

    public static JsonObject Delta(JsonObject chunk) => chunk["choices"]![0]!["delta"]!.AsObject();

    public static string? FinishReason(JsonObject chunk) => (string?)chunk["choices"]![0]!["finish_reason"];

    /// <summary>An event sink that keeps each event's payload, as a client transport would frame it.</summary>
    internal sealed class CapturingSink : IEventSink
    {
        private ArrayBufferWriter<byte>? _current;

        public List<string> Names { get; } = [];

        public List<string> Payloads { get; } = [];

        public IBufferWriter<byte> BeginEvent(ReadOnlySpan<byte> name)
        {
            Names.Add(Encoding.UTF8.GetString(name));
            return _current = new ArrayBufferWriter<byte>();
        }

        public void EndEvent() => Payloads.Add(Encoding.UTF8.GetString(_current!.WrittenSpan));
    }
}
