using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Chat;

/// <summary>
/// Reads upstream Responses SSE events (codex-protocol.md §3.2) in order and reports their Chat Completions meaning
/// to a sink. One reader per response; not thread-safe.
/// </summary>
/// <remarks>
/// <para>Deltas are forwarded as they come. <c>response.output_item.done</c> is authoritative, so for every item the
/// reader remembers how much it has forwarded and, on done, sends whatever the deltas did not (all of it when the
/// upstream sent no deltas). Only lengths are kept, so the hot path stores no text.</para>
/// <para>Text from separate output items (and separate reasoning summary parts) is joined with a blank line, so a
/// commentary message and the final answer do not run together.</para>
/// </remarks>
internal sealed class ResponsesEventReader(IChatDeltaSink sink)
{
    private const string Separator = "\n\n";

    private readonly List<OutputItem> _items = [];
    private readonly bool[] _channelUsed = new bool[3]; // by Channel: has an earlier item written to it?
    private int _toolCalls;
    private bool _started;

    /// <summary>A terminal event has been read; later events are ignored.</summary>
    public bool Finished { get; private set; }

    /// <summary>OpenAI's error payload when the response failed; null otherwise.</summary>
    public JsonObject? Error { get; private set; }

    public void Read(string? eventType, JsonElement data)
    {
        if (Finished)
        {
            return;
        }

        // The SSE event name and data.type agree on the real upstream; fall back to data.type when framing lacked one.
        switch (string.IsNullOrEmpty(eventType) ? EventData.String(data, "type") : eventType)
        {
            case "response.created":
                Begin();
                break;
            case "response.output_item.added":
                OnItemAdded(data);
                break;
            case "response.output_text.delta":
                EmitContent(Item(data), Delta(data));
                break;
            case "response.refusal.delta":
                EmitRefusal(Item(data), Delta(data));
                break;
            case "response.reasoning_summary_text.delta":
                EmitReasoning(Item(data), EventData.Int(data, "summary_index", 0), Delta(data));
                break;
            case "response.function_call_arguments.delta":
                EmitArguments(Item(data), Delta(data));
                break;
            case "response.output_item.done":
                OnItemDone(data);
                break;
            case "response.completed" or "response.done" or "response.incomplete":
                OnTerminal(data);
                break;
            case "response.failed":
                Fail(UpstreamError.FromFailed(data));
                break;
            case "error":
                Fail(UpstreamError.FromErrorEvent(data));
                break;
            default:
                // in_progress, content_part.*, *.done text events, codex.rate_limits, ...: nothing that deltas and
                // output_item.done do not already carry.
                break;
        }
    }

    private void OnItemAdded(JsonElement data)
    {
        var added = EventData.Get(data, "item");
        if (EventData.String(added, "type") == "function_call")
        {
            StartToolCall(Item(data), added, arguments: "");
        }
    }

    private void OnItemDone(JsonElement data)
    {
        var item = Item(data);
        var done = EventData.Get(data, "item");
        switch (EventData.String(done, "type"))
        {
            case "message":
                var content = EventData.Get(done, "content");
                EmitContent(item, Remainder(EventData.JoinTexts(content, "output_text", "text", ""), item.ContentLength));
                EmitRefusal(item, Remainder(EventData.JoinTexts(content, "refusal", "refusal", ""), item.RefusalLength));
                break;
            case "reasoning":
                var summary = EventData.JoinTexts(EventData.Get(done, "summary"), "summary_text", "text", Separator);
                item.ReasoningLength += Send(Channel.Reasoning, Remainder(summary, item.ReasoningLength), item.ReasoningLength > 0);
                break;
            case "function_call" when item.ToolIndex < 0:
                StartToolCall(item, done, EventData.String(done, "arguments") ?? "");
                break;
            case "function_call":
                EmitArguments(item, Remainder(EventData.String(done, "arguments") ?? "", item.ArgumentsLength));
                break;
        }
    }

    private void OnTerminal(JsonElement data)
    {
        var response = EventData.Get(data, "response");
        var status = EventData.String(response, "status");
        if (status == "failed")
        {
            Fail(UpstreamError.FromFailed(data));
            return;
        }

        var finishReason = status == "incomplete"
            ? EventData.String(EventData.Get(response, "incomplete_details"), "reason") == "content_filter" ? "content_filter" : "length"
            : _toolCalls > 0 ? "tool_calls" : "stop";
        Begin();
        Finished = true;
        sink.OnFinish(finishReason, ChatUsage.From(EventData.Get(response, "usage")));
    }

    private void StartToolCall(OutputItem item, JsonElement call, string arguments)
    {
        // call_id pairs the client's tool result with this call; the item id is only a fallback for odd upstreams.
        var callId = EventData.String(call, "call_id") ?? EventData.String(call, "id") ?? "";
        Begin();
        item.ToolIndex = _toolCalls++;
        item.ArgumentsLength = arguments.Length;
        sink.OnToolCall(item.ToolIndex, callId, EventData.String(call, "name") ?? "", arguments);
    }

    private void EmitContent(OutputItem item, string text) =>
        item.ContentLength += Send(Channel.Content, text, continuesItem: item.ContentLength > 0);

    private void EmitRefusal(OutputItem item, string text) =>
        item.RefusalLength += Send(Channel.Refusal, text, continuesItem: item.RefusalLength > 0);

    private void EmitReasoning(OutputItem item, int summaryIndex, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (item.ReasoningLength > 0 && summaryIndex != item.SummaryIndex)
        {
            // A new summary part of the same item: the separator is part of this item's joined summary text.
            text = Separator + text;
        }

        item.SummaryIndex = summaryIndex;
        item.ReasoningLength += Send(Channel.Reasoning, text, continuesItem: item.ReasoningLength > 0);
    }

    private void EmitArguments(OutputItem item, string arguments)
    {
        // Argument deltas for an item never announced cannot be attributed (no call id yet); done sends them whole.
        if (arguments.Length > 0 && item.ToolIndex >= 0)
        {
            item.ArgumentsLength += arguments.Length;
            sink.OnToolCallArguments(item.ToolIndex, arguments);
        }
    }

    /// <summary>Forwards text on one channel, after a separator when an earlier item already wrote to it.</summary>
    /// <returns>How much of this item's own text was forwarded (the separator is not counted).</returns>
    private int Send(Channel channel, string text, bool continuesItem)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        Begin();
        var chunk = !continuesItem && _channelUsed[(int)channel] ? Separator + text : text;
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

    private void Fail(JsonObject error)
    {
        Finished = true;
        Error = error;
    }

    private OutputItem Item(JsonElement data)
    {
        var outputIndex = EventData.Int(data, "output_index");
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (_items[i].OutputIndex == outputIndex)
            {
                return _items[i];
            }
        }

        var item = new OutputItem(outputIndex);
        _items.Add(item);
        return item;
    }

    private static string Delta(JsonElement data) => EventData.String(data, "delta") ?? "";

    private static string Remainder(string full, int forwarded) => full.Length > forwarded ? full[forwarded..] : "";

    private enum Channel
    {
        Content,
        Refusal,
        Reasoning,
    }

    /// <summary>What has been forwarded for one upstream output item, by <c>output_index</c>.</summary>
    private sealed class OutputItem(int outputIndex)
    {
        public int OutputIndex { get; } = outputIndex;
        public int ToolIndex { get; set; } = -1;
        public int ArgumentsLength { get; set; }
        public int ContentLength { get; set; }
        public int RefusalLength { get; set; }
        public int ReasoningLength { get; set; }
        public int SummaryIndex { get; set; } = -1;
    }
}
