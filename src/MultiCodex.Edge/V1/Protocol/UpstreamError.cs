using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// An error the upstream answered with: an HTTP error body, a <c>response.failed</c> event or an <c>error</c> event
/// (docs/upstream-responses.md §6). Never holds a token.
/// </summary>
/// <param name="Code">The error's <c>code</c>.</param>
/// <param name="Type">The error's <c>type</c> (for quota answers it is the code: <c>usage_limit_reached</c>).</param>
/// <param name="Status">The numeric <c>status</c> some error events carry (the WebSocket form).</param>
public sealed record UpstreamError(
    string? Code, string? Type, string? Message, string? Param, DateTimeOffset? ResetsAt, TimeSpan? ResetsIn, int? Status)
{
    /// <summary>What the pool and the log call the error: its code, else its type.</summary>
    public string? CodeOrType => Code ?? Type;

    /// <summary>Reads an HTTP error body: <c>{"error":{type|code, message, resets_at, resets_in_seconds}}</c> or FastAPI's <c>{"detail"}</c>.</summary>
    public static UpstreamError FromHttpBody(ReadOnlySpan<byte> body)
    {
        var fields = new ErrorFields();
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("error"u8))
                    {
                        fields.ReadObject(ref reader);
                    }
                    else
                    {
                        fields.ReadField(ref reader); // also "detail"
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // invalid JSON, or invalid UTF-8 in a string
        {
        }
        return fields.ToError(null);
    }
}

/// <summary>The fields of an error object as they are read; an error event may spread them over two levels.</summary>
internal struct ErrorFields
{
    public bool Seen;
    public string? Code;
    public string? Type;
    public string? Message;
    public string? Param;
    public string? Reason;
    public long? ResetsAt;
    public double? ResetsIn;
    public int? Status;

    /// <summary>Reads the value after a property name: an error object's fields, or nothing when it is not an object.</summary>
    public void ReadObject(ref Utf8JsonReader reader)
    {
        if (TerminalFacts.Next(ref reader) != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        Seen = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadField(ref reader);
        }
    }

    /// <summary>Reads one property (the reader is on its name); unknown ones are skipped.</summary>
    public void ReadField(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("code"u8))
        {
            Code = String(ref reader) ?? Code;
        }
        else if (reader.ValueTextEquals("type"u8))
        {
            Type = String(ref reader) ?? Type;
        }
        else if (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("detail"u8))
        {
            Message = String(ref reader) ?? Message;
        }
        else if (reader.ValueTextEquals("param"u8))
        {
            Param = String(ref reader);
        }
        else if (reader.ValueTextEquals("reason"u8))
        {
            Reason = String(ref reader);
        }
        else if (reader.ValueTextEquals("resets_at"u8))
        {
            ResetsAt = TerminalFacts.Next(ref reader) == JsonTokenType.Number && reader.TryGetDouble(out var at) ? (long)at : null;
        }
        else if (reader.ValueTextEquals("resets_in_seconds"u8))
        {
            ResetsIn = TerminalFacts.Next(ref reader) == JsonTokenType.Number && reader.TryGetDouble(out var seconds) ? seconds : null;
        }
        else if (reader.ValueTextEquals("status"u8))
        {
            Status = TerminalFacts.Next(ref reader) == JsonTokenType.Number && reader.TryGetInt32(out var status) ? status : null;
        }
        else
        {
            TerminalFacts.Next(ref reader);
            reader.Skip();
        }
        Seen = true;
    }

    public readonly UpstreamError ToError(int? status, bool ignoreType = false) => new(
        Code,
        ignoreType ? null : Type,
        Message,
        Param,
        ResetsAt is > 0 and < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(ResetsAt.Value) : null,
        ResetsIn is > 0 and < 1e9 ? TimeSpan.FromSeconds(ResetsIn.Value) : null,
        status ?? Status);

    private static string? String(ref Utf8JsonReader reader)
    {
        var kind = TerminalFacts.Next(ref reader);
        if (kind == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }
}
