using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>The upstream events the Edge tells apart (docs/upstream-responses.md §3); every other type is <see cref="Other"/>.</summary>
public enum UpstreamEventKind : byte
{
    Other,
    Created,
    InProgress,
    RateLimits,
    Metadata,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    RefusalDelta,
    ReasoningSummaryTextDelta,
    FunctionCallArgumentsDelta,
    Completed,
    Incomplete,
    Done,
    Failed,
    Error,
}

/// <summary>Classifies an event by its name alone: pass-through events are never parsed.</summary>
public static class UpstreamEventKinds
{
    public static UpstreamEventKind Classify(in SseEvent e)
    {
        var type = e.Type.Span;
        return type.IsEmpty ? ByName(TypeInData(e.Data.Span)) : ByName(type);
    }

    /// <summary>Events that come before any output: holding them back costs the client nothing.</summary>
    public static bool IsPreamble(this UpstreamEventKind kind) =>
        kind is UpstreamEventKind.Created or UpstreamEventKind.InProgress or UpstreamEventKind.RateLimits or UpstreamEventKind.Metadata;

    public static bool IsFailure(this UpstreamEventKind kind) => kind is UpstreamEventKind.Failed or UpstreamEventKind.Error;

    /// <summary>The events that end a response: completed, incomplete, done (a synonym of completed some upstreams send), failed, error.</summary>
    public static bool IsTerminal(this UpstreamEventKind kind) =>
        kind is UpstreamEventKind.Completed or UpstreamEventKind.Incomplete or UpstreamEventKind.Done or UpstreamEventKind.Failed or UpstreamEventKind.Error;

    // By length first: a stream's most common names (text deltas, pass-through ones the Edge ignores) cost one comparison at most.
    private static UpstreamEventKind ByName(ReadOnlySpan<byte> type) => type.Length switch
    {
        5 when type.SequenceEqual("error"u8) => UpstreamEventKind.Error,
        13 when type.SequenceEqual("response.done"u8) => UpstreamEventKind.Done,
        15 when type.SequenceEqual("response.failed"u8) => UpstreamEventKind.Failed,
        16 when type.SequenceEqual("response.created"u8) => UpstreamEventKind.Created,
        17 when type.SequenceEqual("codex.rate_limits"u8) => UpstreamEventKind.RateLimits,
        17 when type.SequenceEqual("response.metadata"u8) => UpstreamEventKind.Metadata,
        18 when type.SequenceEqual("response.completed"u8) => UpstreamEventKind.Completed,
        19 when type.SequenceEqual("response.incomplete"u8) => UpstreamEventKind.Incomplete,
        20 when type.SequenceEqual("response.in_progress"u8) => UpstreamEventKind.InProgress,
        22 when type.SequenceEqual("response.refusal.delta"u8) => UpstreamEventKind.RefusalDelta,
        23 when type.SequenceEqual("codex.response.metadata"u8) => UpstreamEventKind.Metadata,
        25 when type.SequenceEqual("response.output_item.done"u8) => UpstreamEventKind.OutputItemDone,
        26 when type.SequenceEqual("response.output_text.delta"u8) => UpstreamEventKind.OutputTextDelta,
        26 when type.SequenceEqual("response.output_item.added"u8) => UpstreamEventKind.OutputItemAdded,
        37 when type.SequenceEqual("response.reasoning_summary_text.delta"u8) => UpstreamEventKind.ReasoningSummaryTextDelta,
        38 when type.SequenceEqual("response.function_call_arguments.delta"u8) => UpstreamEventKind.FunctionCallArgumentsDelta,
        _ => UpstreamEventKind.Other,
    };

    // An event without an `event:` line (not the real upstream's framing): its JSON `type` names it.
    private static ReadOnlySpan<byte> TypeInData(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    return reader.ValueSpan;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return default;
    }
}
