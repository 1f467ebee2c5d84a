using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Proxying;
using MultiCodex.Edge.Responses;

namespace MultiCodex.Edge.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: 1. translate the request to the Responses API, 2. dispatch it like
/// /v1/responses (same account choice and rotation), 3. translate the upstream events back into
/// <c>chat.completion.chunk</c>s ending in <c>[DONE]</c>, or one <c>chat.completion</c>.
/// </summary>
public static class ChatCompletionsEndpoint
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static async Task HandleAsync(HttpContext http, EdgeMetrics metrics, TimeProvider time, ILogger<UpstreamDispatcher> logger)
    {
        var startedAt = Stopwatch.GetTimestamp();
        ChatRequestTranslation? translation = null;
        var exchange = await V1Request.OpenAsync(http, "chat", startedAt, body =>
        {
            translation = ChatRequestTranslator.Translate(body);
            return translation.IsValid
                ? UpstreamRequestBuilder.Build(translation.Body, UpstreamRequestBuilder.SessionKeyFromHeaders(http.Request.Headers))
                : (null, translation.Error.Message, translation.Error.Param);
        });
        if (exchange is null)
        {
            return;
        }
        await using (exchange)
        {
            var id = "chatcmpl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            var created = time.GetUtcNow().ToUnixTimeSeconds();
            var status = translation!.Stream
                ? await StreamAsync(http, exchange, new ChatStreamTranslator(translation.Model, translation.IncludeUsage, created, id))
                : await CompleteAsync(http, exchange, new ChatCompletionBuilder(translation.Model, created, id));
            metrics.Completed("chat", status, exchange, startedAt);
            V1Request.LogCompleted(logger, http, "chat", translation.Model, exchange, status, startedAt);
        }
    }

    private static async Task<int> StreamAsync(HttpContext http, UpstreamExchange exchange, ChatStreamTranslator translator)
    {
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        try
        {
            while (!translator.Finished && await exchange.ReadAsync(http.RequestAborted) is { } e)
            {
                using var data = JsonDocument.Parse(e.Data);
                foreach (var chunk in translator.OnEvent(e.TypeName, data.RootElement))
                {
                    await WriteDataAsync(writer, chunk);
                }
                if (!exchange.HasBufferedEvent)
                {
                    await writer.FlushAsync(http.RequestAborted);
                }
            }
            if (translator.Error is { } failure)
            {
                await WriteDataAsync(writer, failure);
            }
            else if (!translator.Finished)
            {
                await WriteDataAsync(writer, StreamError("stream_incomplete", "The upstream stream ended before the response completed."));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && http.RequestAborted.IsCancellationRequested)
        {
            exchange.ClientAborted = true;
            return 499;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException or JsonException)
        {
            // Bytes went out already: end the stream in the client's protocol instead of leaving it hanging.
            await WriteDataAsync(writer, StreamError("stream_disconnected", "The upstream connection dropped before the response completed."));
        }
        try
        {
            await writer.WriteAsync(Done);
            await writer.FlushAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone.
        }
        return 200;
    }

    private static async Task<int> CompleteAsync(HttpContext http, UpstreamExchange exchange, ChatCompletionBuilder builder)
    {
        try
        {
            while (!builder.Finished && await exchange.ReadAsync(http.RequestAborted) is { } e)
            {
                using var data = JsonDocument.Parse(e.Data);
                builder.OnEvent(e.TypeName, data.RootElement);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && http.RequestAborted.IsCancellationRequested)
        {
            exchange.ClientAborted = true;
            return 499;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException or JsonException)
        {
        }
        if (builder.Error is { } failure)
        {
            await Results.Content(failure.ToJsonString(), "application/json", statusCode: 502).ExecuteAsync(http);
            return 502;
        }
        if (!builder.Finished)
        {
            await OpenAiError.Result(502, "The upstream stream ended before the response completed.", "server_error", "stream_incomplete").ExecuteAsync(http);
            return 502;
        }
        await Results.Content(builder.Build().ToJsonString(), "application/json").ExecuteAsync(http);
        return 200;
    }

    private static JsonObject StreamError(string code, string message) =>
        new() { ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error", ["param"] = null, ["code"] = code } };

    // Serialised straight into the response pipe: no intermediate string per chunk.
    private static async Task WriteDataAsync(PipeWriter writer, JsonObject payload)
    {
        await writer.WriteAsync(DataPrefix);
        using (var json = new Utf8JsonWriter(writer))
        {
            payload.WriteTo(json);
        }
        await writer.WriteAsync(EventEnd);
    }
}
