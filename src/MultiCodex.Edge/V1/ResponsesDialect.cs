using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Edge.V1.Responses;

namespace MultiCodex.Edge.V1;

/// <summary>A Responses request on its way upstream.</summary>
public sealed class ResponsesRequest : UpstreamRequest
{
    /// <summary>The <c>previous_response_id</c> the client named (step 2b decides what it means); never sent upstream over HTTP.</summary>
    public string? PreviousResponseId { get; init; }
}

/// <summary>
/// <c>POST /v1/responses</c>: the client already speaks the upstream's dialect. Step 2 patches its body (without
/// re-encoding it); step 4 relays the upstream's events untouched, or aggregates them for a client that does not stream.
/// </summary>
public sealed class ResponsesDialect(IPreviousResponses previousResponses) : IDialect<ResponsesRequest>
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
        };
        // 2b. continue: what a previous_response_id means is decided in one place (IPreviousResponses).
        return request.PreviousResponseId is null
            ? new Translation<ResponsesRequest>(request, null)
            : await previousResponses.ContinueAsync(request, client, cancellationToken);
    }

    public Task<Answer> AnswerAsync(ResponsesRequest request, UpstreamStream upstream, IClientTransport client) =>
        request.ClientStreams ? StreamAsync(upstream, client) : AggregateAsync(upstream, client);

    /// <summary>Passes the events through as they arrive; flushes whenever the next event is not here yet.</summary>
    private static async Task<Answer> StreamAsync(UpstreamStream upstream, IClientTransport client)
    {
        client.StartStream(upstream.Headers);
        try
        {
            while (await upstream.ReadAsync() is { } e)
            {
                client.Relay(e.Sse);
                if (e.Terminal is { } terminal)
                {
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

    private static async Task<Answer> AggregateAsync(UpstreamStream upstream, IClientTransport client)
    {
        using var aggregator = new ResponsesAggregator();
        using var answer = new PooledBuffer(8192);
        ClientError? failure = null;
        try
        {
            while (await upstream.ReadAsync() is { } e)
            {
                aggregator.Add(e);
                if (e.Terminal is { } terminal)
                {
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
