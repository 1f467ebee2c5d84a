using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>An error answered to a /v1 client, in OpenAI's terms: the HTTP status and the error object's fields.</summary>
/// <param name="Status">The HTTP status (the WebSocket form carries it in the frame).</param>
/// <param name="Type">OpenAI's <c>type</c>: <c>invalid_request_error</c>, <c>server_error</c>, <c>usage_limit_reached</c>, …</param>
public sealed record ClientError(int Status, string Message, string Type, string? Code = null, string? Param = null)
{
    /// <summary>How long to wait before trying again (the <c>Retry-After</c> header, whole seconds, at least 1).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When the quota resets; the Codex CLI reads <c>resets_at</c> to say when (docs/upstream-responses.md §6.1).</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>
    /// The <c>x-codex-*</c> usage snapshot sent with a quota answer (<see cref="MultiCodex.Pool.QuotaHeaders"/>): HTTP
    /// response headers, or the <c>headers</c> map of a WebSocket error frame. Empty for any other error.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> UsageHeaders { get; init; } = [];

    public static ClientError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", code, param);

    public static ClientError Server(int status, string message, string? code) => new(status, message, "server_error", code);
}

/// <summary>
/// The one writer of OpenAI errors: <c>{"error":{"message","type","param","code"}}</c> for HTTP answers and chat
/// streams, the bare error object inside a <c>response.failed</c> event, and the
/// <c>{"type":"error","status":N,"error":{…}}</c> frame of the WebSocket transport.
/// </summary>
public static class OpenAiErrors
{
    /// <summary>How the Edge writes JSON it composes: non-ASCII text stays as it is (clients and the upstream read UTF-8).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonEncodedText ErrorName = JsonEncodedText.Encode("error");

    /// <summary>The error object: message, type, param, code, and for quota errors when the quota resets.</summary>
    public static void WriteError(Utf8JsonWriter writer, ClientError error)
    {
        writer.WriteStartObject();
        writer.WriteString("message"u8, error.Message);
        writer.WriteString("type"u8, error.Type);
        writer.WriteString("param"u8, error.Param);
        writer.WriteString("code"u8, error.Code);
        if (error.ResetsAt is { } resetsAt)
        {
            writer.WriteNumber("resets_at"u8, resetsAt.ToUnixTimeSeconds());
            writer.WriteNumber("resets_in_seconds"u8, (long)Math.Max(0, (error.RetryAfter ?? TimeSpan.Zero).TotalSeconds));
        }
        writer.WriteEndObject();
    }

    /// <summary><c>{"error":{…}}</c>: the body of an HTTP error answer, and the last data line of a failed chat stream.</summary>
    public static void WriteBody(Utf8JsonWriter writer, ClientError error)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(ErrorName);
        WriteError(writer, error);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The headers an error answer carries besides its body: <c>retry-after</c> (whole seconds, at least 1) when there
    /// is a wait, then its <see cref="ClientError.UsageHeaders"/>. One list for both transports, so an HTTP answer and a
    /// WebSocket frame for the same error say the same.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Headers(ClientError error)
    {
        if (error.RetryAfter is { } wait)
        {
            yield return new("retry-after", ((long)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(CultureInfo.InvariantCulture));
        }
        foreach (var header in error.UsageHeaders)
        {
            yield return header;
        }
    }

    /// <summary>
    /// <c>{"type":"error","status":N,"error":{…},"headers":{…}}</c>: an error on the WebSocket transport (a numeric
    /// status, or the Codex CLI waits); <c>headers</c>, as the upstream's quota frames carry it, when the error has any
    /// (<see cref="Headers"/>).
    /// </summary>
    public static void WriteFrame(Utf8JsonWriter writer, ClientError error)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteNumber("status"u8, error.Status);
        writer.WritePropertyName(ErrorName);
        WriteError(writer, error);
        var headers = false;
        foreach (var (name, value) in Headers(error))
        {
            if (!headers)
            {
                writer.WriteStartObject("headers"u8);
                headers = true;
            }
            writer.WriteString(name, value);
        }
        if (headers)
        {
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>The HTTP body of an error, in a pooled buffer the caller disposes.</summary>
    public static PooledBuffer Body(ClientError error)
    {
        var buffer = new PooledBuffer(256 + error.Message.Length * 2);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        WriteBody(writer, error);
        writer.Flush();
        return buffer;
    }
}
