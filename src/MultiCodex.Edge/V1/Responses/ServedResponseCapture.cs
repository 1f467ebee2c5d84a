using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>
/// Keeps what a served response leaves for a later <c>previous_response_id</c> (<see cref="ResponseStore"/>): its
/// whole input as sent upstream and its output items, collected from <c>response.output_item.done</c> as the answer
/// passes (streamed or aggregated alike). Only a response that completed (or ended incomplete) is kept, and only for a
/// client that did not send <c>store:false</c>: like OpenAI, MultiCodex then keeps nothing to continue from — the
/// Codex CLI sends <c>store:false</c> and its full history every turn, so its large requests cost the store nothing.
/// </summary>
/// <remarks>
/// Two kinds of item are left out of what is kept, because the upstream would refuse them on the next turn: the
/// <c>compaction_trigger</c> that ended a compacting request (it must be the last item, and the next turn adds more),
/// and a <c>reasoning</c> item without <c>encrypted_content</c> (with <c>store:false</c> the upstream cannot look
/// it up by id; a client that wants reasoning carried over asks for <c>include: ["reasoning.encrypted_content"]</c>).
/// </remarks>
internal sealed class ServedResponseCapture : IDisposable
{
    private readonly ResponseStore _store;
    private readonly ResponsesRequest _request;
    private readonly string _keyId;
    private readonly TimeProvider _time;
    private readonly ResponsesAggregator _output = new();

    private ServedResponseCapture(ResponseStore store, ResponsesRequest request, string keyId, TimeProvider time) =>
        (_store, _request, _keyId, _time) = (store, request, keyId, time);

    /// <summary>A capture for a request whose response is worth keeping; null for one whose is not.</summary>
    public static ServedResponseCapture? Begin(ResponseStore store, ResponsesRequest request, IClientTransport client, TimeProvider time) =>
        store.Enabled && request.ClientStores && client.Name == "http" ? new ServedResponseCapture(store, request, client.ClientKeyId, time) : null;

    /// <summary>Takes one upstream event: output items are kept.</summary>
    public void Add(in UpstreamEvent e) => _output.Add(e);

    /// <summary>The response ended: keeps it when it completed (or ended incomplete) and has an id.</summary>
    public void Complete(TerminalFacts terminal, ReadOnlySpan<byte> data)
    {
        if (terminal.IsFailure || ResponseId(terminal, data) is not { } id)
        {
            return;
        }
        var input = _request.Body.Span;
        var (start, length) = _request.InputItems.GetOffsetAndLength(input.Length);
        if (length + _output.Items.Length > _store.MaxResponseBytes)
        {
            return; // too large to keep: its continuation is refused, never sent without it
        }
        using var items = new PooledBuffer(length + _output.Items.Length + 16);
        CopyItems(input[(start - 1)..(start + length + 1)], items, keep: static (type, _) => type != "compaction_trigger");
        using (var output = new PooledBuffer(_output.Items.Length + 2))
        {
            output.Write((byte)'[');
            output.Write(_output.Items);
            output.Write((byte)']');
            CopyItems(output.Span, items, keep: static (type, encrypted) => type != "reasoning" || encrypted);
        }
        _store.Add(_keyId, new StoredResponse(id, items.Span.ToArray(), _request.SessionKey, _time.GetUtcNow()));
    }

    public void Dispose() => _output.Dispose();

    // Appends the items of a JSON list that `keep` accepts (by type, and whether it carries encrypted content), comma-joined.
    private static void CopyItems(ReadOnlySpan<byte> list, PooledBuffer items, Func<string?, bool, bool> keep)
    {
        var reader = new Utf8JsonReader(list);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            string? type = null;
            var encrypted = false;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var member = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("encrypted_content"u8) ? 2 : 0;
                    reader.Read();
                    if (member == 1 && reader.TokenType == JsonTokenType.String)
                    {
                        type = reader.GetString();
                    }
                    encrypted |= member == 2 && reader.TokenType == JsonTokenType.String;
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
            if (keep(type, encrypted))
            {
                if (items.Length > 0)
                {
                    items.Write((byte)',');
                }
                items.Write(list[start..(int)reader.BytesConsumed]);
            }
        }
    }

    // The response object's own "id".
    private static string? ResponseId(TerminalFacts terminal, ReadOnlySpan<byte> data)
    {
        if (terminal.Response.Equals(default(Range)))
        {
            return null;
        }
        var reader = new Utf8JsonReader(data[terminal.Response]);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString() is { Length: > 0 } id ? id : null;
            }
            reader.Skip();
        }
        return null;
    }
}
