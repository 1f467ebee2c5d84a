using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

internal enum ItemType
{
    Other,
    Message,
    Reasoning,
    FunctionCall,
}

/// <summary>
/// The fields of one upstream output item that the translation needs, read in one pass whatever their order
/// (docs/upstream-responses.md §3.2): a message's <c>output_text</c> and <c>refusal</c> parts, a reasoning item's
/// summary parts (joined with a blank line), a function call's id, name and arguments. Buffers are reused.
/// </summary>
internal sealed class ItemText : IDisposable
{
    private static ReadOnlySpan<byte> Separator => "\n\n"u8;

    private bool _hasCallId;

    public ItemType Type { get; private set; }

    public PooledBuffer Content { get; } = new(1024);

    public PooledBuffer Refusal { get; } = new(256);

    public PooledBuffer Summary { get; } = new(1024);

    public PooledBuffer Arguments { get; } = new(256);

    public PooledBuffer Name { get; } = new(64);

    /// <summary>Scratch space for a reasoning delta that needs a separator in front.</summary>
    public PooledBuffer Joined { get; } = new(256);

    private PooledBuffer CallIdText { get; } = new(64);

    private PooledBuffer Id { get; } = new(64);

    /// <summary><c>call_id</c> pairs the client's tool result with the call; the item id is only a fallback for odd upstreams.</summary>
    public ReadOnlySpan<byte> CallId => _hasCallId ? CallIdText.Span : Id.Span;

    public void Clear()
    {
        Type = ItemType.Other;
        _hasCallId = false;
        foreach (var buffer in (ReadOnlySpan<PooledBuffer>)[Content, Refusal, Summary, Arguments, Name, CallIdText, Id])
        {
            buffer.Clear();
        }
    }

    /// <summary>Reads the item object (the reader is on its start) to its end.</summary>
    public void Read(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                Type = TerminalFacts.Next(ref reader) != JsonTokenType.String ? ItemType.Other
                    : reader.ValueTextEquals("message"u8) ? ItemType.Message
                    : reader.ValueTextEquals("reasoning"u8) ? ItemType.Reasoning
                    : reader.ValueTextEquals("function_call"u8) ? ItemType.FunctionCall
                    : ItemType.Other;
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                ReadParts(ref reader, summary: false);
            }
            else if (reader.ValueTextEquals("summary"u8))
            {
                ReadParts(ref reader, summary: true);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                _hasCallId = String(ref reader, CallIdText);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                String(ref reader, Id);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                String(ref reader, Name);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                String(ref reader, Arguments);
            }
            else
            {
                TerminalFacts.Next(ref reader);
                reader.Skip();
            }
        }
    }

    // Content parts: output_text texts and refusal texts, each joined as they are. Summary parts: summary_text
    // texts, non-empty ones joined with a blank line. A part's type may come after its text: kept or undone at its end.
    private void ReadParts(ref Utf8JsonReader reader, bool summary)
    {
        if (TerminalFacts.Next(ref reader) != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            var (textBefore, refusalBefore, summaryBefore) = (Content.Length, Refusal.Length, Summary.Length);
            var partType = 0; // 1 output_text, 2 refusal, 3 summary_text
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    partType = TerminalFacts.Next(ref reader) != JsonTokenType.String ? 0
                        : reader.ValueTextEquals("output_text"u8) ? 1
                        : reader.ValueTextEquals("refusal"u8) ? 2
                        : reader.ValueTextEquals("summary_text"u8) ? 3
                        : 0;
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    if (summary && Summary.Length > 0)
                    {
                        Summary.Write(Separator);
                    }
                    String(ref reader, summary ? Summary : Content);
                }
                else if (reader.ValueTextEquals("refusal"u8) && !summary)
                {
                    String(ref reader, Refusal);
                }
                else
                {
                    TerminalFacts.Next(ref reader);
                    reader.Skip();
                }
            }
            if (summary)
            {
                if (partType != 3 || Summary.Length <= summaryBefore + (summaryBefore > 0 ? Separator.Length : 0))
                {
                    Summary.Truncate(summaryBefore);
                }
            }
            else
            {
                Content.Truncate(partType == 1 ? int.MaxValue : textBefore);
                Refusal.Truncate(partType == 2 ? int.MaxValue : refusalBefore);
            }
        }
    }

    private static bool String(ref Utf8JsonReader reader, PooledBuffer into)
    {
        if (TerminalFacts.Next(ref reader) != JsonTokenType.String)
        {
            reader.Skip();
            return false;
        }
        Utf8Text.AppendUnescaped(ref reader, into);
        return true;
    }

    public void Dispose()
    {
        foreach (var buffer in (ReadOnlySpan<PooledBuffer>)[Content, Refusal, Summary, Arguments, Name, Joined, CallIdText, Id])
        {
            buffer.Dispose();
        }
    }
}

/// <summary>How much of one upstream output item (by <c>output_index</c>) has been forwarded, in UTF-8 bytes.</summary>
internal sealed class ForwardedItem(int outputIndex)
{
    public int OutputIndex { get; } = outputIndex;
    public int ToolIndex { get; set; } = -1;
    public int ArgumentsLength { get; set; }
    public int ContentLength { get; set; }
    public int RefusalLength { get; set; }
    public int ReasoningLength { get; set; }
    public int SummaryIndex { get; set; } = -1;
}
