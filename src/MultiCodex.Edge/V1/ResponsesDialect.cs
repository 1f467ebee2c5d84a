using System.Text.Json;
using MultiCodex.Edge.V1.Conversations;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Edge.V1.Responses;

namespace MultiCodex.Edge.V1;

/// <summary>A Responses request on its way upstream.</summary>
public sealed class ResponsesRequest : UpstreamRequest
{
    /// <summary>The <c>previous_response_id</c> the client named (step 2b decides what it means); never sent upstream over HTTP.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>Where the items of the upstream body's <c>input</c> are: between its <c>[</c> and <c>]</c>.</summary>
    public Range InputItems { get; init; }

    /// <summary>False when the client sent <c>store:false</c>: its response is not kept for a continuation.</summary>
    public bool ClientStores { get; init; } = true;

    /// <summary>The same request with another body (which it then owns) and conversation.</summary>
    public ResponsesRequest With(PooledBuffer body, Range inputItems, string? sessionKey, string? sessionId = null) => new()
    {
        Model = Model,
        ClientStreams = ClientStreams,
        Body = body,
        RoutingHint = RoutingHint,
        PreviousResponseId = PreviousResponseId,
        ClientStores = ClientStores,
        InputItems = inputItems,
        SessionKey = sessionKey,
        SessionId = sessionId,
    };
}

/// <summary>
/// <c>POST /v1/responses</c>: the client already speaks the upstream's dialect. Step 2 patches its body (without
/// re-encoding it), resolves a <c>previous_response_id</c> and settles the conversation's key; step 4 relays the
/// upstream's events untouched, or aggregates them for a client that does not stream, and keeps the response for a
/// later continuation (<see cref="ServedResponseCapture"/>).
/// </summary>
public sealed class ResponsesDialect(IPreviousResponses previousResponses, ResponseStore store, TimeProvider time) : IDialect<ResponsesRequest>
{
    public string Endpoint => "responses";

    public async ValueTask<Translation<ResponsesRequest>> TranslateAsync(ReadOnlyMemory<byte> body, IClientTransport client, CancellationToken cancellationToken)
    {
        var output = new PooledBuffer(body.Length + 256);
        var (facts, error) = ResponsesRequestPatcher.Patch(body.Span, output);
        if (facts is null)
        {
            output.Dispose();
            return new Translation<ResponsesRequest>(null, error);
        }
        var request = new ResponsesRequest
        {
            Model = facts.Model,
            ClientStreams = facts.ClientStreams,
            SessionKey = facts.PromptCacheKey ?? SessionKeys.FromHeaders(client.Headers),
            Body = output,
            RoutingHint = UpstreamRequest.RoutingHintFor(facts.Model, facts.ServiceTier),
            PreviousResponseId = facts.PreviousResponseId,
            InputItems = facts.InputItems,
            ClientStores = facts.ClientStores,
        };
        // 2b. continue: what a previous_response_id means is decided in one place (IPreviousResponses).
        if (request.PreviousResponseId is not null)
        {
            var continued = await previousResponses.ContinueAsync(request, client, cancellationToken);
            if (continued.Request is null)
            {
                return continued;
            }
            request = continued.Request;
        }
        // 2c. the conversation: one key, as session-id and prompt_cache_key alike (ConversationKeys).
        var (key, sessionId) = ConversationKeys.Settle(request.Body, facts.PromptCacheKey, client.Headers, request.SessionKey, client.ClientKeyId, request.Model);
        return new Translation<ResponsesRequest>(request.With(request.Body, request.InputItems, key, sessionId), null);
    }

    public async Task<Answer> AnswerAsync(ResponsesRequest request, UpstreamStream upstream, IClientTransport client)
    {
        using var capture = ServedResponseCapture.Begin(store, request, client, time);
        return request.ClientStreams ? await StreamAsync(upstream, client, capture) : await AggregateAsync(upstream, client, capture);
    }

    /// <summary>Passes the events through as they arrive; flushes whenever the next event is not here yet.</summary>
    private static async Task<Answer> StreamAsync(UpstreamStream upstream, IClientTransport client, ServedResponseCapture? capture)
    {
        client.StartStream(upstream.Headers);
        try
        {
            while (await upstream.ReadAsync() is { } e)
            {
                client.Relay(e.Sse);
                capture?.Add(e);
                if (e.Terminal is { } terminal)
                {
                    capture?.Complete(terminal, e.Data);
                    await client.FlushAsync();
                    return new Answer(200, terminal.IsFailure ? terminal.Error?.CodeOrType : null);
                }
                if (!upstream.HasBufferedEvent)
                {
                    await client.FlushAsync();
                }
            }
            return await FailStreamAsync(client, ClientError.Server(502, "The upstream stream ended before the response completed.", "stream_incomplete"));
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
            // Bytes went out already: end the stream in the client's protocol instead of leaving it hanging.
            return await FailStreamAsync(client, ClientError.Server(502, "The upstream connection dropped before the response completed.", "stream_disconnected"));
        }
    }

    private static async Task<Answer> AggregateAsync(UpstreamStream upstream, IClientTransport client, ServedResponseCapture? capture)
    {
        using var aggregator = new ResponsesAggregator();
        using var answer = new PooledBuffer(8192);
        ClientError? failure = null;
        try
        {
            while (await upstream.ReadAsync() is { } e)
            {
                aggregator.Add(e);
                capture?.Add(e);
                if (e.Terminal is { } terminal)
                {
                    capture?.Complete(terminal, e.Data);
                    failure = terminal.IsFailure
                        ? ClientError.Server(502, terminal.Error?.Message ?? "The upstream failed the response.", terminal.Error?.CodeOrType)
                        : aggregator.TryWrite(terminal, e.Data, answer) ? null : Incomplete();
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
        }
        if (failure is null && answer.Length == 0)
        {
            failure = Incomplete();
        }
        if (failure is not null)
        {
            await client.AnswerErrorAsync(failure);
            return new Answer(failure.Status, failure.Code);
        }
        await client.AnswerJsonAsync(upstream.Headers, answer.Memory);
        return new Answer(200);
    }

    private static ClientError Incomplete() => ClientError.Server(502, "The upstream stream ended before the response completed.", "stream_incomplete");

    /// <summary>A <c>response.failed</c> event: the Codex CLI and the SDKs take it as the end of a failed response.</summary>
    private static async Task<Answer> FailStreamAsync(IClientTransport client, ClientError error)
    {
        using (var json = new Utf8JsonWriter(client.BeginEvent("response.failed"u8), OpenAiErrors.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "response.failed"u8);
            json.WriteStartObject("response"u8);
            json.WriteString("status"u8, "failed"u8);
            json.WritePropertyName("error"u8);
            OpenAiErrors.WriteError(json, error);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        client.EndEvent();
        await client.FlushAsync();
        return new Answer(200, error.Code);
    }
}
