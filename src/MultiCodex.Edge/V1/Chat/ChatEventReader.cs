using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Reads upstream Responses events (docs/upstream-responses.md §3.2) in order and reports their Chat Completions
/// meaning to a sink. Each event is parsed once, here, with <see cref="Utf8JsonReader"/>; the terminal event's facts
/// come parsed from the pipeline's reader. No text becomes a .NET string. One reader per response; not thread-safe.
/// </summary>
/// <remarks>
/// <para>Deltas are forwarded as they come. <c>response.output_item.done</c> is authoritative, so for every item the
/// reader remembers how many bytes it has forwarded and, on done, sends whatever the deltas did not (all of it when
/// the upstream sent no deltas). Only lengths are kept, so the hot path stores no text.</para>
/// <para>Text from separate output items (and separate reasoning summary parts) is joined with a blank line, so a
/// commentary message and the final answer do not run together.</para>
/// </remarks>
internal sealed class ChatEventReader(IChatDeltaSink sink) : IDisposable
{
    private static ReadOnlySpan<byte> Separator => "\n\n"u8;

    private readonly List<ForwardedItem> _items = [];
    private readonly bool[] _channelUsed = new bool[3]; // by Channel: has an earlier item written to it?
    private readonly ItemText _fields = new();
    private readonly PooledBuffer _send = new(1024);
    private int _toolCalls;
    private bool _started;

    /// <summary>A terminal event has been read; later events are ignored.</summary>
    public bool Finished { get; private set; }

    /// <summary>OpenAI's error when the response failed; null otherwise.</summary>
    public ClientError? Error { get; private set; }

    public void Read(in UpstreamEvent e)
    {
        if (Finished)
        {
            return;
        }
        try
        {
            switch (e.Kind)
            {
                case UpstreamEventKind.Created:
                    Begin();
                    break;
                case UpstreamEventKind.OutputTextDelta or UpstreamEventKind.RefusalDelta
                    or UpstreamEventKind.ReasoningSummaryTextDelta or UpstreamEventKind.FunctionCallArgumentsDelta:
                    OnDelta(e.Kind, e.Data);
                    break;
                case UpstreamEventKind.OutputItemAdded:
                    OnItem(e.Data, done: false);
                    break;
                case UpstreamEventKind.OutputItemDone:
                    OnItem(e.Data, done: true);
                    break;
                case UpstreamEventKind.Completed or UpstreamEventKind.Done or UpstreamEventKind.Incomplete
                    or UpstreamEventKind.Failed or UpstreamEventKind.Error:
                    OnTerminal(e.Terminal ?? TerminalFacts.Parse(e.Kind, e.Data));
                    break;
                default:
                    // in_progress, content_part.*, *.done text events, codex.rate_limits, …: nothing that deltas and
                    // output_item.done do not already carry.
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // An unreadable event (bad JSON, invalid UTF-8) carries nothing to translate; the stream goes on.
        }
    }

    public void Dispose()
    {
        _fields.Dispose();
        _send.Dispose();
    }

    private void OnDelta(UpstreamEventKind kind, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }
        int outputIndex = -1, summaryIndex = 0;
        ReadOnlySpan<byte> delta = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                if (TerminalFacts.Next(ref reader) == JsonTokenType.String)
                {
                    if (reader.ValueIsEscaped)
                    {
                        _fields.Content.Clear();
                        Utf8Text.AppendUnescaped(ref reader, _fields.Content);
                        delta = _fields.Content.Span;
                    }
                    else
                    {
                        delta = reader.ValueSpan;
                    }
                }
            }
            else if (reader.ValueTextEquals("output_index"u8))
            {
                outputIndex = Int(ref reader, -1);
            }
            else if (reader.ValueTextEquals("summary_index"u8))
            {
                summaryIndex = Int(ref reader, 0);
            }
            else
            {
                TerminalFacts.Next(ref reader);
                reader.Skip();
            }
        }
        var item = Item(outputIndex);
        switch (kind)
        {
            case UpstreamEventKind.OutputTextDelta:
                item.ContentLength += Send(Channel.Content, delta, continuesItem: item.ContentLength > 0);
                break;
            case UpstreamEventKind.RefusalDelta:
                item.RefusalLength += Send(Channel.Refusal, delta, continuesItem: item.RefusalLength > 0);
                break;
            case UpstreamEventKind.ReasoningSummaryTextDelta:
                EmitReasoning(item, summaryIndex, delta);
                break;
            default:
                EmitArguments(item, delta);
                break;
        }
    }

    private void OnItem(ReadOnlySpan<byte> data, bool done)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }
        var outputIndex = -1;
        _fields.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("output_index"u8))
            {
                outputIndex = Int(ref reader, -1);
            }
            else if (reader.ValueTextEquals("item"u8) && TerminalFacts.Next(ref reader) == JsonTokenType.StartObject)
            {
                _fields.Read(ref reader);
            }
            else
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    reader.Read();
                }
                reader.Skip();
            }
        }
        var item = Item(outputIndex);
        var f = _fields;
        if (!done)
        {
            if (f.Type == ItemType.FunctionCall)
            {
                StartToolCall(item, f.CallId, f.Name.Span, arguments: default);
            }
            return;
        }
        switch (f.Type)
        {
            case ItemType.Message:
                item.ContentLength += Send(Channel.Content, Utf8Text.After(f.Content.Span, item.ContentLength), item.ContentLength > 0);
                item.RefusalLength += Send(Channel.Refusal, Utf8Text.After(f.Refusal.Span, item.RefusalLength), item.RefusalLength > 0);
                break;
            case ItemType.Reasoning:
                item.ReasoningLength += Send(Channel.Reasoning, Utf8Text.After(f.Summary.Span, item.ReasoningLength), item.ReasoningLength > 0);
                break;
            case ItemType.FunctionCall when item.ToolIndex < 0:
                StartToolCall(item, f.CallId, f.Name.Span, f.Arguments.Span);
                break;
            case ItemType.FunctionCall:
                EmitArguments(item, Utf8Text.After(f.Arguments.Span, item.ArgumentsLength));
                break;
        }
    }

    private void OnTerminal(TerminalFacts facts)
    {
        if (facts.IsFailure)
        {
            Finished = true;
            Error = ChatUsage.Failure(facts.Error);
            return;
        }
        var finishReason = facts.Kind == UpstreamEventKind.Incomplete || facts.Status == "incomplete"
            ? facts.IncompleteReason == "content_filter" ? "content_filter" : "length"
            : _toolCalls > 0 ? "tool_calls" : "stop";
        Begin();
        Finished = true;
        sink.OnFinish(finishReason, facts.Usage);
    }

    private void StartToolCall(ForwardedItem item, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> arguments)
    {
        Begin();
        item.ToolIndex = _toolCalls++;
        item.ArgumentsLength = arguments.Length;
        sink.OnToolCall(item.ToolIndex, callId, name, arguments);
    }

    private void EmitReasoning(ForwardedItem item, int summaryIndex, ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return;
        }
        if (item.ReasoningLength > 0 && summaryIndex != item.SummaryIndex)
        {
            // A new summary part of the same item: the separator is part of this item's joined summary text.
            _fields.Joined.Clear();
            _fields.Joined.Write(Separator);
            _fields.Joined.Write(text);
            text = _fields.Joined.Span;
        }
        item.SummaryIndex = summaryIndex;
        item.ReasoningLength += Send(Channel.Reasoning, text, continuesItem: item.ReasoningLength > 0);
    }

    private void EmitArguments(ForwardedItem item, ReadOnlySpan<byte> arguments)
    {
        // Argument deltas for an item never announced cannot be attributed (no call id yet); done sends them whole.
        if (!arguments.IsEmpty && item.ToolIndex >= 0)
        {
            item.ArgumentsLength += arguments.Length;
            sink.OnToolCallArguments(item.ToolIndex, arguments);
        }
    }

    /// <summary>Forwards text on one channel, after a separator when an earlier item already wrote to it.</summary>
    /// <returns>How much of this item's own text was forwarded (the separator is not counted).</returns>
    private int Send(Channel channel, ReadOnlySpan<byte> text, bool continuesItem)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
        Begin();
        var chunk = text;
        if (!continuesItem && _channelUsed[(int)channel])
        {
            _send.Clear();
            _send.Write(Separator);
            _send.Write(text);
            chunk = _send.Span;
        }
        _channelUsed[(int)channel] = true;
        switch (channel)
        {
            case Channel.Content:
                sink.OnContent(chunk);
                break;
            case Channel.Refusal:
                sink.OnRefusal(chunk);
                break;
            default:
                sink.OnReasoning(chunk);
                break;
        }
        return text.Length;
    }

    private void Begin()
    {
        if (!_started)
        {
            _started = true;
            sink.OnRole();
        }
    }

    private ForwardedItem Item(int outputIndex)
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (_items[i].OutputIndex == outputIndex)
            {
                return _items[i];
            }
        }
        var item = new ForwardedItem(outputIndex);
        _items.Add(item);
        return item;
    }

    private static int Int(ref Utf8JsonReader reader, int fallback)
    {
        var kind = TerminalFacts.Next(ref reader);
        if (kind == JsonTokenType.Number && reader.TryGetInt32(out var value))
        {
            return value;
        }
        reader.Skip();
        return fallback;
    }

    private enum Channel
    {
        Content,
        Refusal,
        Reasoning,
    }
}
