using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// The answers the Edge gives a WebSocket client itself, in the shapes the upstream uses (docs/websocket.md):
/// a warmup while the upstream is reached over HTTP (which has no warmup: <c>generate</c> is refused there), and
/// the end of an interrupted response that was not running on an upstream socket.
/// </summary>
internal static class LocalAnswers
{
    /// <summary>
    /// A warmup's answer, as the upstream gives it over WebSocket: <c>response.created</c> then
    /// <c>response.completed</c> with no output and no usage, under a fresh id the client may continue (as
    /// CLIProxyAPI does in <c>openai_responses_websocket_prewarm.go</c>). Presented as an SSE answer, like any other.
    /// </summary>
    public static HttpResponseMessage Warmup(string model, TimeProvider time)
    {
        var id = "resp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var body = new MemoryStream();
        Event(body, "response.created", 0, id, model, created, "in_progress");
        Event(body, "response.completed", 1, id, model, created, "completed");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body.ToArray()) };
    }

    /// <summary>
    /// <c>response.incomplete</c> with <c>incomplete_details.reason: "interrupted"</c>: how the upstream ends a
    /// response it was asked to interrupt, for one the Edge stopped itself.
    /// </summary>
    public static void Interrupted(PooledBuffer output, string responseId)
    {
        using var json = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions);
        json.WriteStartObject();
        json.WriteString("type"u8, "response.incomplete"u8);
        json.WriteStartObject("response"u8);
        json.WriteString("id"u8, responseId);
        json.WriteString("object"u8, "response"u8);
        json.WriteString("status"u8, "incomplete"u8);
        json.WriteStartObject("incomplete_details"u8);
        json.WriteString("reason"u8, "interrupted"u8);
        json.WriteEndObject();
        json.WriteStartArray("output"u8);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Event(MemoryStream body, string type, int sequence, string id, string model, long created, string status)
    {
        body.Write("event: "u8);
        body.Write(System.Text.Encoding.UTF8.GetBytes(type));
        body.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(body, OpenAiErrors.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, type);
            json.WriteNumber("sequence_number"u8, sequence);
            json.WriteStartObject("response"u8);
            json.WriteString("id"u8, id);
            json.WriteString("object"u8, "response"u8);
            json.WriteNumber("created_at"u8, created);
            json.WriteString("status"u8, status);
            json.WriteString("model"u8, model);
            json.WriteStartArray("output"u8);
            json.WriteEndArray();
            if (status == "completed")
            {
                json.WriteStartObject("usage"u8);
                json.WriteNumber("input_tokens"u8, 0);
                json.WriteStartObject("input_tokens_details"u8);
                json.WriteNumber("cached_tokens"u8, 0);
                json.WriteEndObject();
                json.WriteNumber("output_tokens"u8, 0);
                json.WriteStartObject("output_tokens_details"u8);
                json.WriteNumber("reasoning_tokens"u8, 0);
                json.WriteEndObject();
                json.WriteNumber("total_tokens"u8, 0);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        body.Write("\n\n"u8);
    }
}
