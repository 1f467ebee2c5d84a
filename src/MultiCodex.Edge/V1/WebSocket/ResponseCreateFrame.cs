using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// A client's <c>response.create</c> frame after step 2 patched it (<see cref="Responses.ResponsesRequestPatcher"/>:
/// valid JSON, <c>stream</c>/<c>store</c> set, unsupported parameters and <c>previous_response_id</c> gone), read once
/// more to know where its members are, so that each body the upstream may need is spliced from these bytes without
/// re-encoding anything (docs/websocket.md, "Frames and bodies"):
/// <list type="bullet">
/// <item>the frame as the client sent it, continuing a response on the same upstream socket;</item>
/// <item>a full frame: the items before it (from the transcript) ahead of its own, no <c>previous_response_id</c> —
/// what a new upstream socket, another account or a rotation needs;</item>
/// <item>the HTTP body: the same full input, without the fields only the WebSocket accepts (<c>type</c>, <c>generate</c>).</item>
/// </list>
/// </summary>
internal sealed class ResponseCreateFrame
{
    /// <summary>The <c>client_metadata</c> key of the turn state (openai/codex#27996); valid only on the account that issued it.</summary>
    public const string TurnStateKey = "x-codex-turn-state";

    private readonly ReadOnlyMemory<byte> _body;
    private readonly List<Member> _members = [];

    private ResponseCreateFrame(ReadOnlyMemory<byte> body) => _body = body;

    /// <summary>The <c>previous_response_id</c> the client named; null for a full frame.</summary>
    public string? PreviousResponseId { get; private init; }

    /// <summary>True for a warmup (<c>generate:false</c>): a response id to chain on, and no output.</summary>
    public bool IsWarmup { get; private set; }

    /// <summary>The frame's own input items, comma-separated, without the brackets (may be empty).</summary>
    public ReadOnlyMemory<byte> Items { get; private set; }

    /// <summary>True when <c>client_metadata</c> carries a turn state.</summary>
    public bool HasTurnState { get; private set; }

    /// <summary>Reads a patched body (valid JSON; the patch guarantees an object with an <c>input</c> list).</summary>
    public static ResponseCreateFrame Parse(ReadOnlyMemory<byte> body, string? previousResponseId)
    {
        var frame = new ResponseCreateFrame(body) { PreviousResponseId = previousResponseId };
        var reader = new Utf8JsonReader(body.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var kind = KindOf(ref reader);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            if (kind == MemberKind.Generate)
            {
                frame.IsWarmup = reader.TokenType == JsonTokenType.False;
            }
            if (kind == MemberKind.ClientMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                frame.HasTurnState = HasKey(reader, TurnStateKey);
            }
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            if (kind == MemberKind.Input)
            {
                frame.Items = Inner(body[valueStart..end]);
            }
            frame._members.Add(new Member(kind, start, end, valueStart));
        }
        return frame;
    }

    /// <summary>
    /// Writes the frame for an upstream WebSocket: continuing <paramref name="previousResponseId"/> with the frame's
    /// own items, or (null) a full frame with <paramref name="prior"/> items ahead of them.
    /// </summary>
    public void WriteFrame(PooledBuffer output, string? previousResponseId, ReadOnlySpan<byte> prior, bool dropTurnState) =>
        Write(output, previousResponseId, prior, dropTurnState, forHttp: false);

    /// <summary>Writes the body for an upstream HTTP request: the full input, none of the WebSocket-only fields.</summary>
    public void WriteHttpBody(PooledBuffer output, ReadOnlySpan<byte> prior, bool dropTurnState) =>
        Write(output, null, prior, dropTurnState, forHttp: true);

    private void Write(PooledBuffer output, string? previousResponseId, ReadOnlySpan<byte> prior, bool dropTurnState, bool forHttp)
    {
        var body = _body.Span;
        output.Write((byte)'{');
        var first = true;
        foreach (var member in _members)
        {
            if (forHttp && member.Kind is MemberKind.Type or MemberKind.Generate || member.Kind == MemberKind.StreamId)
            {
                continue; // the WebSocket's own fields never go over HTTP; stream_id is the public API's only
            }
            Separator(output, ref first);
            if (member.Kind == MemberKind.Input)
            {
                output.Write(body[member.Start..member.ValueStart]);
                output.Write((byte)'[');
                output.Write(prior);
                if (!prior.IsEmpty && !Items.IsEmpty)
                {
                    output.Write((byte)',');
                }
                output.Write(Items.Span);
                output.Write((byte)']');
            }
            else if (member.Kind == MemberKind.ClientMetadata && dropTurnState && HasTurnState)
            {
                output.Write(body[member.Start..member.ValueStart]);
                WithoutKey(body[member.ValueStart..member.End], TurnStateKey, output);
            }
            else
            {
                output.Write(body[member.Start..member.End]);
            }
        }
        if (previousResponseId is not null)
        {
            Separator(output, ref first);
            output.Write("\"previous_response_id\":\""u8);
            output.Write(JsonEncodedText.Encode(previousResponseId, OpenAiErrors.WriterOptions.Encoder).EncodedUtf8Bytes);
            output.Write((byte)'"');
        }
        output.Write((byte)'}');
    }

    private static void Separator(PooledBuffer output, ref bool first)
    {
        if (!first)
        {
            output.Write((byte)',');
        }
        first = false;
    }

    /// <summary>The bytes between an array's brackets, without surrounding whitespace.</summary>
    private static ReadOnlyMemory<byte> Inner(ReadOnlyMemory<byte> array)
    {
        var inner = array[1..^1]; // the value is exactly the array: '[' … ']'
        var leading = inner.Length - inner.Span.TrimStart(" \t\r\n"u8).Length;
        var trailing = inner.Length - inner.Span.TrimEnd(" \t\r\n"u8).Length;
        return leading == inner.Length ? ReadOnlyMemory<byte>.Empty : inner[leading..^trailing];
    }

    private static bool HasKey(Utf8JsonReader reader, string key)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(key))
            {
                return true;
            }
            reader.Read();
            reader.Skip();
        }
        return false;
    }

    // Copies an object without one of its members.
    private static void WithoutKey(ReadOnlySpan<byte> json, string key, PooledBuffer output)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        output.Write((byte)'{');
        var first = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var skip = reader.ValueTextEquals(key);
            reader.Read();
            reader.Skip();
            if (!skip)
            {
                Separator(output, ref first);
                output.Write(json[start..(int)reader.BytesConsumed]);
            }
        }
        output.Write((byte)'}');
    }

    private static MemberKind KindOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("input"u8) ? MemberKind.Input
        : reader.ValueTextEquals("type"u8) ? MemberKind.Type
        : reader.ValueTextEquals("generate"u8) ? MemberKind.Generate
        : reader.ValueTextEquals("client_metadata"u8) ? MemberKind.ClientMetadata
        : reader.ValueTextEquals("stream_id"u8) ? MemberKind.StreamId
        : MemberKind.Other;

    private enum MemberKind
    {
        Other,
        Input,
        Type,
        Generate,
        ClientMetadata,
        StreamId,
    }

    private readonly record struct Member(MemberKind Kind, int Start, int End, int ValueStart);
}
