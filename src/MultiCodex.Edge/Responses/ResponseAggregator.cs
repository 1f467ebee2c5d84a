using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Responses;

/// <summary>
/// Builds one Responses object for a client that did not ask to stream (the upstream always streams). The
/// <c>response.output_item.done</c> items are authoritative: the completed event's output may be empty.
/// </summary>
public sealed class ResponseAggregator
{
    private readonly JsonArray _items = [];
    private JsonObject? _final;

    public void Add(in SseEvent e)
    {
        if (e.Is("response.output_item.done"u8))
        {
            if (JsonNode.Parse(e.Data.Span) is JsonObject done && done["item"] is JsonObject item)
            {
                done.Remove("item");
                _items.Add(item);
            }
        }
        else if (e.Is("response.completed"u8) || e.Is("response.incomplete"u8) || e.Is("response.done"u8) || e.Is("response.failed"u8))
        {
            _final = JsonNode.Parse(e.Data.Span)?["response"] as JsonObject;
        }
    }

    /// <summary>The final response object, or null when the stream ended without one.</summary>
    public JsonObject? Result()
    {
        if (_final is null)
        {
            return null;
        }
        if (_final["output"] is not JsonArray output || output.Count == 0)
        {
            _final["output"] = _items.DeepClone();
        }
        _final["output_text"] ??= OutputText(_final["output"] as JsonArray);
        return _final;
    }

    // The SDKs' convenience field: all output_text parts of assistant messages, joined.
    private static string OutputText(JsonArray? output) =>
        string.Concat((output ?? []).OfType<JsonObject>()
            .Where(i => (string?)i["type"] == "message")
            .SelectMany(i => (i["content"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(p => (string?)p["type"] == "output_text")
            .Select(p => (string?)p["text"] ?? ""));
}
