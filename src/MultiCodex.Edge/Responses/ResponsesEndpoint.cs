using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Proxying;
using MultiCodex.Edge.Upstream;

namespace MultiCodex.Edge.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: 1. read and normalise the request, 2. dispatch it (account choice and rotation),
/// 3. stream the upstream events through untouched, or aggregate them for a client that does not stream.
/// </summary>
public static partial class ResponsesEndpoint
{
    public static async Task HandleAsync(HttpContext http, EdgeMetrics metrics, ILogger<UpstreamDispatcher> logger)
    {
        var startedAt = Stopwatch.GetTimestamp();
        UpstreamRequest? request = null;
        var exchange = await V1Request.OpenAsync(http, "responses", startedAt, body =>
        {
            var built = UpstreamRequestBuilder.Build(body, UpstreamRequestBuilder.SessionKeyFromHeaders(http.Request.Headers));
            request = built.Request;
            return built;
        });
        if (exchange is null)
        {
            return;
        }
        await using (exchange)
        {
            V1Request.CopyUpstreamHeaders(http, exchange);
            var status = request!.ClientStreams ? await StreamAsync(http, exchange) : await AggregateAsync(http, exchange);
            metrics.Completed("responses", status, exchange, startedAt);
            V1Request.LogCompleted(logger, http, "responses", request.Model, exchange, status, startedAt);
        }
    }

    /// <summary>Passes the events through as they arrive; flushes whenever the next event is not here yet.</summary>
    private static async Task<int> StreamAsync(HttpContext http, UpstreamExchange exchange)
    {
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        try
        {
            while (await exchange.ReadAsync(http.RequestAborted) is { } e)
            {
                await writer.WriteAsync(e.Raw, http.RequestAborted);
                if (!exchange.HasBufferedEvent)
                {
                    await writer.FlushAsync(http.RequestAborted);
                }
            }
            if (!exchange.SawTerminal)
            {
                await WriteStreamFailureAsync(writer, "stream_incomplete", "The upstream stream ended before the response completed.");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && http.RequestAborted.IsCancellationRequested)
        {
            exchange.ClientAborted = true;
            return 499;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
            // Bytes went out already: end the stream in the client's protocol instead of leaving it hanging.
            await WriteStreamFailureAsync(writer, "stream_disconnected", "The upstream connection dropped before the response completed.");
        }
        return 200;
    }

    private static async Task<int> AggregateAsync(HttpContext http, UpstreamExchange exchange)
    {
        var aggregator = new ResponseAggregator();
        try
        {
            while (await exchange.ReadAsync(http.RequestAborted) is { } e)
            {
                aggregator.Add(e);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException && http.RequestAborted.IsCancellationRequested)
        {
            exchange.ClientAborted = true;
            return 499;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
        {
        }
        if (exchange.Failure is { } failure)
        {
            await OpenAiError.Result(502, failure.ErrorMessage ?? "The upstream failed the response.", "server_error", failure.ErrorCode).ExecuteAsync(http);
            return 502;
        }
        if (aggregator.Result() is not { } final)
        {
            await OpenAiError.Result(502, "The upstream stream ended before the response completed.", "server_error", "stream_incomplete").ExecuteAsync(http);
            return 502;
        }
        await Results.Content(final.ToJsonString(), "application/json").ExecuteAsync(http);
        return 200;
    }

    /// <summary>A <c>response.failed</c> event: the Codex CLI and the SDKs treat it as the end of a failed response.</summary>
    private static async Task WriteStreamFailureAsync(System.IO.Pipelines.PipeWriter writer, string code, string message)
    {
        var payload = new JsonObject
        {
            ["type"] = "response.failed",
            ["response"] = new JsonObject
            {
                ["status"] = "failed",
                ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
            },
        };
        try
        {
            await writer.WriteAsync(Encoding.UTF8.GetBytes("event: response.failed\ndata: " + payload.ToJsonString() + "\n\n"));
            await writer.FlushAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone too.
        }
    }
}
