using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.V1.Chat;
using MultiCodex.Edge.V1.Conversations;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>A Chat Completions request, translated to a Responses request on its way upstream.</summary>
public sealed class ChatRequest : UpstreamRequest
{
    /// <summary>The client's <c>stream_options.include_usage</c>: a final usage chunk.</summary>
    public required bool IncludeUsage { get; init; }
}

/// <summary>
/// <c>POST /v1/chat/completions</c>: step 2 translates the request to the Responses API (docs/upstream-responses.md
/// §7.1); step 4 translates the upstream's events back into <c>chat.completion.chunk</c>s ending in <c>[DONE]</c>, or
/// one <c>chat.completion</c> (§7.2). Account choice and rotation are the pipeline's, as for /v1/responses.
/// </summary>
public sealed class ChatDialect(TimeProvider time) : IDialect<ChatRequest>
{
    public string Endpoint => "chat";

    public ValueTask<Translation<ChatRequest>> TranslateAsync(ReadOnlyMemory<byte> body, IClientTransport client, CancellationToken cancellationToken)
    {
        if (StrictJson.Validate(body.Span) is { } invalid)
        {
            return Refuse(invalid);
        }
        if (JsonNode.Parse(body.Span) is not JsonObject json)
        {
            return Refuse(ClientError.InvalidRequest("The request body must be a JSON object."));
        }
        var translation = ChatRequestTranslator.Translate(json);
        if (!translation.IsValid)
        {
            return Refuse(ClientError.InvalidRequest(translation.Error.Message, translation.Error.Param));
        }
        var output = new PooledBuffer(body.Length + 512);
        using (var writer = new Utf8JsonWriter(output, OpenAiErrors.WriterOptions))
        {
            translation.Body.WriteTo(writer);
        }
        var cacheKey = translation.Body["prompt_cache_key"] is JsonValue key && key.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
        // SDK clients send neither prompt_cache_key nor a session header: the key comes from the conversation's opening.
        var (conversation, sessionId) = ConversationKeys.Settle(output, cacheKey, client.Headers, null, client.ClientKeyId, translation.Model);
        return ValueTask.FromResult(new Translation<ChatRequest>(new ChatRequest
        {
            Model = translation.Model,
            ClientStreams = translation.Stream,
            IncludeUsage = translation.IncludeUsage,
            SessionKey = conversation,
            SessionId = sessionId,
            Body = output,
            RoutingHint = UpstreamRequest.RoutingHintFor(translation.Model, null),
        }, null));
    }

    public Task<Answer> AnswerAsync(ChatRequest request, UpstreamStream upstream, IClientTransport client)
    {
        var id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        return request.ClientStreams
            ? StreamAsync(upstream, client, new ChatStreamTranslator(request.Model, request.IncludeUsage, created, id))
            : CompleteAsync(upstream, client, new ChatCompletionBuilder(request.Model, created, id));
    }

    private static ValueTask<Translation<ChatRequest>> Refuse(ClientError error) => ValueTask.FromResult(new Translation<ChatRequest>(null, error));

    private static async Task<Answer> StreamAsync(UpstreamStream upstream, IClientTransport client, ChatStreamTranslator translator)
    {
        using var _ = translator;
        client.StartStream(upstream.Headers);
        ClientError? failure = null;
        try
        {
            while (!translator.Finished && await upstream.ReadAsync() is { } e)
            {
                translator.Translate(e, client);
                if (!upstream.HasBufferedEvent && !translator.Finished)
                {
                    await client.FlushAsync();
                }
            }
            failure = translator.Error ?? (translator.Finished ? null
                : ClientError.Server(502, "The upstream stream ended before the response completed.", "stream_incomplete"));
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
            // Bytes went out already: end the stream in the client's protocol instead of leaving it hanging.
            failure = ClientError.Server(502, "The upstream connection dropped before the response completed.", "stream_disconnected");
        }
        if (failure is not null)
        {
            using (var json = new Utf8JsonWriter(client.BeginEvent(default), OpenAiErrors.WriterOptions))
            {
                OpenAiErrors.WriteBody(json, failure);
            }
            client.EndEvent();
        }
        client.BeginEvent(default).Write("[DONE]"u8);
        client.EndEvent();
        await client.FlushAsync();
        return new Answer(200, failure?.Code);
    }

    private static async Task<Answer> CompleteAsync(UpstreamStream upstream, IClientTransport client, ChatCompletionBuilder builder)
    {
        using var _ = builder;
        try
        {
            while (!builder.Finished && await upstream.ReadAsync() is { } e)
            {
                builder.Read(e);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
        }
        var failure = builder.Error ?? (builder.Finished ? null
            : ClientError.Server(502, "The upstream stream ended before the response completed.", "stream_incomplete"));
        if (failure is not null)
        {
            await client.AnswerErrorAsync(failure);
            return new Answer(failure.Status, failure.Code);
        }
        using var answer = new PooledBuffer(4096);
        using (var json = new Utf8JsonWriter(answer, OpenAiErrors.WriterOptions))
        {
            builder.Write(json);
        }
        await client.AnswerJsonAsync(upstream.Headers, answer.Memory);
        return new Answer(200);
    }
}
