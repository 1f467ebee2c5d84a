using System.Buffers;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Edge.V1.Responses;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// <c>response.create</c> frames on a client WebSocket: the Responses dialect over the socket transport.
/// Step 2 patches the frame as any Responses body, refuses a continuation of a response this socket does not
/// hold (as the upstream would) and settles the conversation's key (<see cref="ClientSocket.SettleConversation"/>); step 4 relays every upstream event as it came — unknown ones too — except
/// <c>response.done</c>, which becomes the <c>response.completed</c> clients wait for, and keeps the transcript: the
/// output items of a response that ended, so the next request can be rebuilt in full wherever it must go.
/// </summary>
internal sealed class SocketDialect : IDialect<SocketRequest>
{
    public string Endpoint => "responses";

    public ValueTask<Translation<SocketRequest>> TranslateAsync(ReadOnlyMemory<byte> body, IClientTransport client, CancellationToken cancellationToken)
    {
        var session = ((SocketTransport)client).Session;
        var output = new PooledBuffer(body.Length + 256);
        var (facts, error) = ResponsesRequestPatcher.Patch(body.Span, output);
        if (facts is null)
        {
            output.Dispose();
            return Refuse(error!);
        }
        if (facts.PreviousResponseId is { } previous && previous != session.Transcript.LastResponseId)
        {
            // Only the socket's latest response can be continued (the upstream keeps no other): the client resends.
            output.Dispose();
            return Refuse(ClientError.InvalidRequest($"Previous response with id '{previous}' not found.", "previous_response_id", "previous_response_not_found"));
        }
        // The conversation: one key, as on HTTP — a client that sends neither key nor session header gets a derived one.
        var (key, sessionId) = session.SettleConversation(output, facts.PromptCacheKey, facts.Model);
        return ValueTask.FromResult(new Translation<SocketRequest>(new SocketRequest
        {
            Model = facts.Model,
            ClientStreams = true,
            SessionKey = key,
            SessionId = sessionId,
            Body = output,
            RoutingHint = UpstreamRequest.RoutingHintFor(facts.Model, facts.ServiceTier),
            Route = session.Route,
            Frame = ResponseCreateFrame.Parse(output.Memory, facts.PreviousResponseId),
        }, null));
    }

    public async Task<Answer> AnswerAsync(SocketRequest request, UpstreamStream upstream, IClientTransport client)
    {
        var socket = (SocketTransport)client;
        var session = socket.Session;
        using var output = new PooledBuffer(1024); // the response's output items, for the transcript
        try
        {
            while (await upstream.ReadAsync() is { } e)
            {
                Note(e, socket, output);
                if (e.Kind == UpstreamEventKind.Done)
                {
                    AsCompleted(e.Data, socket); // clients end a response on response.completed only
                }
                else
                {
                    socket.Relay(e);
                }
                if (e.Terminal is { } terminal)
                {
                    if (!terminal.IsFailure && socket.ResponseId is { } id)
                    {
                        // A response that completed, or ended early, may be continued; its output is the next request's history.
                        session.Transcript.Commit(request.Frame, id, terminal.IncompleteReason == "interrupted" ? default : output.Span);
                    }
                    await socket.FlushAsync();
                    return new Answer(200, terminal.IsFailure ? terminal.Error?.CodeOrType : null);
                }
                if (!upstream.HasBufferedEvent)
                {
                    await socket.FlushAsync();
                }
            }
            return await FailAsync(socket, ClientError.Server(502, "The upstream stream ended before the response completed.", "stream_incomplete"));
        }
        catch (OperationCanceledException) when (socket.Interrupted && !session.Closing)
        {
            // Interrupted with no upstream socket to tell: ended here as the upstream would, and continuable.
            var id = socket.ResponseId ?? "resp_interrupted";
            session.Transcript.Commit(request.Frame, id, default);
            socket.EndInterrupted(id);
            await socket.FlushAsync();
            return new Answer(StatusCodes.Status499ClientClosedRequest, "interrupted");
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
            // Events went out already: no failover. A status the Codex CLI retries (on a new socket, in full).
            return await FailAsync(socket, ClientError.Server(502, "The upstream connection dropped before the response completed.", "stream_disconnected"));
        }
    }

    private static ValueTask<Translation<SocketRequest>> Refuse(ClientError error) => ValueTask.FromResult(new Translation<SocketRequest>(null, error));

    private static async Task<Answer> FailAsync(SocketTransport socket, ClientError error)
    {
        await socket.AnswerErrorAsync(error);
        return new Answer(200, error.Code);
    }

    // What the transcript and the socket need from an event: the response id, the turn state's account, the output items.
    private static void Note(in UpstreamEvent e, SocketTransport socket, PooledBuffer output)
    {
        switch (e.Kind)
        {
            case UpstreamEventKind.Created:
                socket.ResponseId ??= UpstreamFrame.Read(e.Sse.Data).ResponseId;
                break;
            case UpstreamEventKind.Metadata:
                socket.Session.Route.TurnStateAccount = socket.Session.Route.AccountId;
                break;
            case UpstreamEventKind.OutputItemDone:
                AppendItem(e.Data, output);
                break;
            default:
                if (e.Kind.IsTerminal() && socket.ResponseId is null)
                {
                    socket.ResponseId = UpstreamFrame.Read(e.Sse.Data).ResponseId;
                }
                break;
        }
    }

    // The `item` of an output_item.done event, as it came: exactly what the client sends back in a full request.
    private static void AppendItem(ReadOnlySpan<byte> data, PooledBuffer output)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isItem = reader.ValueTextEquals("item"u8);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (isItem && data[start] == (byte)'{')
                {
                    if (output.Length > 0)
                    {
                        output.Write((byte)',');
                    }
                    output.Write(data[start..(int)reader.BytesConsumed]);
                    return;
                }
            }
        }
        catch (JsonException)
        {
            // An unreadable event: the transcript misses an item, and the upstream decides what a rebuilt request lacks.
        }
    }

    // `response.done` (some upstream paths send it) as `response.completed`: the value of `type` replaced, nothing else.
    private static void AsCompleted(ReadOnlySpan<byte> data, SocketTransport socket)
    {
        var writer = socket.BeginEvent(default);
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                writer.Write(data[..(int)reader.TokenStartIndex]);
                writer.Write("\"response.completed\""u8);
                writer.Write(data[(int)reader.BytesConsumed..]);
                break;
            }
            reader.Skip();
        }
        socket.EndEvent();
        socket.MarkEnded();
    }
}
