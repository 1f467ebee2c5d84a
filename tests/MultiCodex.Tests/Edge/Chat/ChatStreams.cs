using System.Text.Json.Nodes;
using MultiCodex.Edge.Chat;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>Feeds <see cref="UpstreamScript"/> through a <see cref="ChatStreamTranslator"/> and reads the chunks.</summary>
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
        upstream.Events.SelectMany(e => translator.OnEvent(e.Type, e.Data)).ToList();

    public static JsonObject Delta(JsonObject chunk) => chunk["choices"]![0]!["delta"]!.AsObject();

    public static string? FinishReason(JsonObject chunk) => (string?)chunk["choices"]![0]!["finish_reason"];
}
