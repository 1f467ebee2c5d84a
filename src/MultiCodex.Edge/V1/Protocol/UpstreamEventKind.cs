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

    // Ordered by how often each arrives: text deltas are most of a stream.
    private static UpstreamEventKind ByName(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("response.output_text.delta"u8) ? UpstreamEventKind.OutputTextDelta
        : type.SequenceEqual("response.reasoning_summary_text.delta"u8) ? UpstreamEventKind.ReasoningSummaryTextDelta
        : type.SequenceEqual("response.function_call_arguments.delta"u8) ? UpstreamEventKind.FunctionCallArgumentsDelta
        : type.SequenceEqual("response.output_item.added"u8) ? UpstreamEventKind.OutputItemAdded
        : type.SequenceEqual("response.output_item.done"u8) ? UpstreamEventKind.OutputItemDone
        : type.SequenceEqual("response.refusal.delta"u8) ? UpstreamEventKind.RefusalDelta
        : type.SequenceEqual("response.created"u8) ? UpstreamEventKind.Created
        : type.SequenceEqual("response.in_progress"u8) ? UpstreamEventKind.InProgress
        : type.SequenceEqual("response.completed"u8) ? UpstreamEventKind.Completed
        : type.SequenceEqual("response.incomplete"u8) ? UpstreamEventKind.Incomplete
        : type.SequenceEqual("response.failed"u8) ? UpstreamEventKind.Failed
        : type.SequenceEqual("error"u8) ? UpstreamEventKind.Error
        : type.SequenceEqual("response.done"u8) ? UpstreamEventKind.Done
        : type.SequenceEqual("codex.rate_limits"u8) ? UpstreamEventKind.RateLimits
        : type.SequenceEqual("codex.response.metadata"u8) || type.SequenceEqual("response.metadata"u8) ? UpstreamEventKind.Metadata
        : UpstreamEventKind.Other;

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
