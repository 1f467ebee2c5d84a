using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>
/// Builds one Responses object for a client that did not ask to stream (the upstream always streams). The
/// <c>response.output_item.done</c> items are authoritative: the terminal event's <c>output</c> may be empty, and is
/// then filled with them; <c>output_text</c>, the SDKs' convenience field, is added from their message text. The
/// answer is spliced from the upstream's bytes: nothing the upstream sent is re-encoded.
/// </summary>
public sealed class ResponsesAggregator : IDisposable
{
    private readonly PooledBuffer _items = new(4096);
    private readonly PooledBuffer _text = new(1024);
    private int _itemCount;

    /// <summary>The <c>output_item.done</c> items so far, as the upstream sent them, comma-joined.</summary>
    public ReadOnlySpan<byte> Items => _items.Span;

    /// <summary>Takes one event: output items are kept, everything else is looked at no further.</summary>
    public void Add(in UpstreamEvent e)
    {
        if (e.Kind == UpstreamEventKind.OutputItemDone)
        {
            AddItem(e.Data);
        }
    }

    /// <summary>Writes the final response object from the terminal event to <paramref name="output"/>; false when the event has none.</summary>
    public bool TryWrite(TerminalFacts terminal, ReadOnlySpan<byte> terminalData, PooledBuffer output)
    {
        if (terminal.Response.Equals(default(Range)))
        {
            return false;
        }
        var (start, length) = terminal.Response.GetOffsetAndLength(terminalData.Length);
        var response = terminalData.Slice(start, length);
        var body = response[..^1]; // without the closing brace
        if (terminal.OutputIsEmpty && _itemCount > 0)
        {
            if (terminal.Output.Equals(default(Range)))
            {
                output.Write(body);
                Member(output, "\"output\":"u8);
                WriteItems(output);
            }
            else
            {
                var (outputStart, outputLength) = terminal.Output.GetOffsetAndLength(terminalData.Length);
                output.Write(response[..(outputStart - start)]);
                WriteItems(output);
                output.Write(response[(outputStart - start + outputLength)..^1]);
            }
        }
        else
        {
            output.Write(body);
        }
        if (!terminal.HasOutputText)
        {
            Member(output, "\"output_text\":"u8);
            using var writer = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions);
            writer.WriteStringValue(_text.Span);
        }
        output.Write((byte)'}');
        return true;
    }

    public void Dispose()
    {
        _items.Dispose();
        _text.Dispose();
    }

    private void WriteItems(PooledBuffer output)
    {
        output.Write((byte)'[');
        output.Write(_items.Span);
        output.Write((byte)']');
    }

    private static void Member(PooledBuffer output, ReadOnlySpan<byte> name)
    {
        if (output.Span.TrimEnd(" \t\r\n"u8)[^1] != '{')
        {
            output.Write((byte)',');
        }
        output.Write(name);
    }

    // One pass over the event: the item's bytes are copied, and the text of a message's output_text parts kept.
    private void AddItem(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isItem = reader.ValueTextEquals("item"u8);
                reader.Read();
                if (isItem && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    var textBefore = _text.Length;
                    var isMessage = ReadItem(ref reader);
                    if (!isMessage)
                    {
                        _text.Truncate(textBefore);
                    }
                    if (_itemCount++ > 0)
                    {
                        _items.Write((byte)',');
                    }
                    _items.Write(data[start..(int)reader.BytesConsumed]);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // An unreadable item is left out; the terminal event still decides the answer.
        }
    }

    private bool ReadItem(ref Utf8JsonReader reader)
    {
        var isMessage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                isMessage = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("message"u8);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                ReadContent(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return isMessage;
    }

    private void ReadContent(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
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
            var before = _text.Length;
            var isOutputText = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("text"u8) ? 2 : 0;
                reader.Read();
                if (name == 1)
                {
                    isOutputText = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("output_text"u8);
                }
                else if (name == 2 && reader.TokenType == JsonTokenType.String)
                {
                    Utf8Text.AppendUnescaped(ref reader, _text);
                }
                else
                {
                    reader.Skip();
                }
            }
            if (!isOutputText)
            {
                _text.Truncate(before);
            }
        }
    }
}
