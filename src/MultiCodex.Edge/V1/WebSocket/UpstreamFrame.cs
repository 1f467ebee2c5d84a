using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// What the Edge reads from an upstream WebSocket frame (docs/websocket.md, "Upstream frames"): its kind, the
/// response id of <c>response.created</c> and of the events that end a response, and — turned into the
/// <c>x-codex-*</c> headers the pool reads on HTTP — the usage snapshot of <c>codex.rate_limits</c> and the
/// <c>headers</c> map of an error frame. Everything else in a frame passes through unread.
/// </summary>
internal static class UpstreamFrame
{
    /// <summary>The frame's kind (by its <c>type</c>) and, for a created or terminal event, <c>response.id</c>.</summary>
    public static (UpstreamEventKind Kind, string? ResponseId) Read(ReadOnlyMemory<byte> frame)
    {
        var kind = UpstreamEventKinds.Classify(new SseEvent(frame, default, frame));
        if (kind != UpstreamEventKind.Created && !kind.IsTerminal())
        {
            return (kind, null);
        }
        try
        {
            var reader = new Utf8JsonReader(frame.Span);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isResponse = reader.ValueTextEquals("response"u8);
                reader.Read();
                if (isResponse && reader.TokenType == JsonTokenType.StartObject)
                {
                    return (kind, IdIn(ref reader));
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return (kind, null);
    }

    /// <summary>The HTTP status an error frame carries (<c>status</c>, or <c>status_code</c> as the real quota frames
    /// name it); 502 when it names none (the Codex CLI would wait for ever on such a frame).</summary>
    public static int StatusOf(ReadOnlyMemory<byte> frame)
    {
        using var json = Parse(frame);
        var root = json?.RootElement;
        foreach (var name in (string[])["status", "status_code"])
        {
            if (root?.TryGetProperty(name, out var status) == true && status.ValueKind == JsonValueKind.Number
                && status.TryGetInt32(out var value) && value is >= 400 and <= 599)
            {
                return value;
            }
        }
        return 502;
    }

    /// <summary>An error frame as an HTTP error body: <c>{"error":{…}}</c> (the frame's own error object, or the frame).</summary>
    public static byte[] ErrorBody(ReadOnlyMemory<byte> frame)
    {
        using var json = Parse(frame);
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body, OpenAiErrors.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("error"u8);
            if (json?.RootElement.TryGetProperty("error", out var error) == true && error.ValueKind == JsonValueKind.Object)
            {
                error.WriteTo(writer);
            }
            else if (json is not null)
            {
                json.RootElement.WriteTo(writer);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("message"u8, "The upstream sent an unreadable error frame.");
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return body.ToArray();
    }

    /// <summary>Copies the <c>x-codex-*</c> entries of an error frame's <c>headers</c> map.</summary>
    public static void CopyHeaders(ReadOnlyMemory<byte> frame, HttpResponseHeaders headers)
    {
        using var json = Parse(frame);
        if (json?.RootElement.TryGetProperty("headers", out var map) != true || map.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var header in map.EnumerateObject())
        {
            if (header.Name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase) && header.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                Set(headers, header.Name.ToLowerInvariant(), header.Value.ToString());
            }
        }
    }

    /// <summary>
    /// A <c>codex.rate_limits</c> event as the rate-limit headers of an HTTP answer (codex
    /// <c>codex-rs/codex-api/src/rate_limits.rs</c> reads both): the windows' used percent, length and reset, the plan
    /// and the credits.
    /// </summary>
    public static void RateLimitsToHeaders(ReadOnlyMemory<byte> frame, HttpResponseHeaders headers)
    {
        using var json = Parse(frame);
        if (json is null)
        {
            return;
        }
        var root = json.RootElement;
        if (root.TryGetProperty("rate_limits", out var limits) && limits.ValueKind == JsonValueKind.Object)
        {
            foreach (var slot in (string[])["primary", "secondary"])
            {
                if (!limits.TryGetProperty(slot, out var window) || window.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                SetNumber(headers, $"x-codex-{slot}-used-percent", window, "used_percent");
                SetNumber(headers, $"x-codex-{slot}-window-minutes", window, "window_minutes");
                SetNumber(headers, $"x-codex-{slot}-reset-at", window, "reset_at");
            }
        }
        if (root.TryGetProperty("plan_type", out var plan) && plan.ValueKind == JsonValueKind.String)
        {
            Set(headers, "x-codex-plan-type", plan.GetString()!);
        }
        if (root.TryGetProperty("credits", out var credits) && credits.ValueKind == JsonValueKind.Object)
        {
            foreach (var (field, name) in (ReadOnlySpan<(string, string)>)[("has_credits", "has-credits"), ("unlimited", "unlimited"), ("balance", "balance")])
            {
                if (credits.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.String or JsonValueKind.Number)
                {
                    Set(headers, "x-codex-credits-" + name, value.ValueKind switch
                    {
                        JsonValueKind.True => "True",
                        JsonValueKind.False => "False",
                        _ => value.ToString(),
                    });
                }
            }
        }
    }

    private static string? IdIn(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }
            reader.Skip();
        }
        return null;
    }

    private static void SetNumber(HttpResponseHeaders headers, string name, JsonElement window, string field)
    {
        if (window.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            Set(headers, name, value.GetDouble().ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Set(HttpResponseHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> frame)
    {
        try
        {
            return JsonDocument.Parse(frame);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
