using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>Token counts of one response (docs/upstream-responses.md §3.3): input includes the cached tokens, output the reasoning ones.</summary>
public readonly record struct UsageFacts(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens, long TotalTokens);

/// <summary>
/// What the event that ended a response says, read once (docs/upstream-responses.md §3.2, §6.2): its status and
/// usage, the error of a failure, and where the <c>response</c> object and its <c>output</c> sit in the event's data
/// (so a non-streaming answer is spliced from the bytes, not rebuilt). Both the attempt's outcome and the
/// translations read this one instance.
/// </summary>
public sealed class TerminalFacts
{
    private TerminalFacts(UpstreamEventKind kind) => Kind = kind;

    public UpstreamEventKind Kind { get; }

    /// <summary><c>response.status</c>: completed, incomplete or failed; null when absent.</summary>
    public string? Status { get; private set; }

    /// <summary><c>response.incomplete_details.reason</c>, e.g. <c>max_output_tokens</c>.</summary>
    public string? IncompleteReason { get; private set; }

    public UsageFacts Usage { get; private set; }

    /// <summary>The error of a failed response or an error event; null otherwise.</summary>
    public UpstreamError? Error { get; private set; }

    /// <summary>Where the <c>response</c> object is in the data; empty when the event has none.</summary>
    public Range Response { get; private set; }

    /// <summary>Where <c>response.output</c> is in the data; empty when absent.</summary>
    public Range Output { get; private set; }

    /// <summary>True when <c>response.output</c> is missing or an empty array (the upstream may leave it empty).</summary>
    public bool OutputIsEmpty { get; private set; } = true;

    /// <summary>True when the response already carries <c>output_text</c>.</summary>
    public bool HasOutputText { get; private set; }

    /// <summary>True for a failure: a failed or error event, or a terminal event whose status is failed.</summary>
    public bool IsFailure => Kind.IsFailure() || Status == "failed";

    /// <summary>Reads a terminal event's data. Never throws: unreadable JSON yields facts with an <c>invalid_event</c> error for a failure.</summary>
    public static TerminalFacts Parse(UpstreamEventKind kind, ReadOnlySpan<byte> data)
    {
        var facts = new TerminalFacts(kind);
        var flat = new ErrorFields();
        var nested = new ErrorFields();
        var inResponse = new ErrorFields();
        try
        {
            var reader = new Utf8JsonReader(data);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("response"u8))
                    {
                        if (Next(ref reader) == JsonTokenType.StartObject)
                        {
                            var start = (int)reader.TokenStartIndex;
                            facts.ReadResponse(ref reader, ref inResponse);
                            facts.Response = start..(int)reader.BytesConsumed;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                    else if (reader.ValueTextEquals("error"u8))
                    {
                        nested.ReadObject(ref reader);
                    }
                    else
                    {
                        flat.ReadField(ref reader); // the flat form of an error event: {"type":"error","code",...}
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // invalid JSON, or invalid UTF-8 in a string
        {
            return facts.IsFailure ? facts.Fail(new UpstreamError("invalid_event", null, "The upstream sent an unreadable error event.", null, null, null, null)) : facts;
        }
        if (facts.IsFailure)
        {
            // An error event's own "type" is just "error": only its nested form names an error type.
            facts.Error = inResponse.Seen ? inResponse.ToError(null)
                : nested.Seen ? nested.ToError(flat.Status)
                : flat.ToError(flat.Status, ignoreType: true);
        }
        return facts;
    }

    private TerminalFacts Fail(UpstreamError error)
    {
        Error = error;
        return this;
    }

    private void ReadResponse(ref Utf8JsonReader reader, ref ErrorFields error)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("status"u8))
            {
                Status = Next(ref reader) == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                Usage = Next(ref reader) == JsonTokenType.StartObject ? ReadUsage(ref reader) : Skipped(ref reader, default(UsageFacts));
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                error.ReadObject(ref reader);
            }
            else if (reader.ValueTextEquals("incomplete_details"u8))
            {
                var details = new ErrorFields();
                details.ReadObject(ref reader);
                IncompleteReason = details.Reason;
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                var kind = Next(ref reader);
                var start = (int)reader.TokenStartIndex;
                var probe = reader;
                OutputIsEmpty = kind != JsonTokenType.StartArray || (probe.Read() && probe.TokenType == JsonTokenType.EndArray);
                reader.Skip();
                Output = start..(int)reader.BytesConsumed;
            }
            else
            {
                HasOutputText |= reader.ValueTextEquals("output_text"u8);
                Next(ref reader);
                reader.Skip();
            }
        }
    }

    private static UsageFacts ReadUsage(ref Utf8JsonReader reader)
    {
        long input = 0, cached = 0, output = 0, reasoning = 0, total = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8))
            {
                input = Number(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                output = Number(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                total = Number(ref reader);
            }
            else if (reader.ValueTextEquals("input_tokens_details"u8))
            {
                cached = Detail(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("output_tokens_details"u8))
            {
                reasoning = Detail(ref reader, "reasoning_tokens"u8);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return new UsageFacts(input, cached, output, reasoning, total > 0 ? total : input + output);
    }

    // `*_details` may be null upstream; a missing count is 0.
    private static long Detail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }
        long value = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                value = Number(ref reader);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        return value;
    }

    private static long Number(ref Utf8JsonReader reader) =>
        Next(ref reader) == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : Skipped(ref reader, 0L);

    internal static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType;
    }

    private static T Skipped<T>(ref Utf8JsonReader reader, T value)
    {
        reader.Skip();
        return value;
    }
}
