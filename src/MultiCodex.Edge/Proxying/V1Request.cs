using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.Observability;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Responses;

namespace MultiCodex.Edge.Proxying;

/// <summary>The steps every /v1 call shares: the client key, the body, the failure answer, the request log line.</summary>
public static partial class V1Request
{
    private const string ClientNameItem = "multicodex.client";
    public const string ExplainHeader = "x-multicodex-explain";

    /// <summary>Endpoint filter: refuses a missing or wrong client key in OpenAI's shape (401).</summary>
    public static async ValueTask<object?> RequireClientKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var gate = http.RequestServices.GetRequiredService<ClientKeyGate>();
        KeyCheck check;
        try
        {
            check = await gate.CheckAsync(http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException && http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client went away while its key was checked
        }
        if (!check.Allowed)
        {
            return check.ControlUnavailable
                ? OpenAiError.Result(StatusCodes.Status503ServiceUnavailable, check.Error!, "server_error", "control_unavailable")
                : OpenAiError.Result(StatusCodes.Status401Unauthorized, check.Error!, "invalid_request_error", "invalid_api_key");
        }
        http.Items[ClientNameItem] = check.ClientName;
        return await next(context);
    }

    public static string? ClientName(HttpContext http) => http.Items[ClientNameItem] as string;

    /// <summary>
    /// Steps 1–2 of every model call: read the body, build the upstream request with <paramref name="build"/>, and
    /// dispatch it. Returns the committed stream, or null once the client was answered (bad input, no account, …).
    /// </summary>
    public static async Task<UpstreamExchange?> OpenAsync(HttpContext http, string endpoint, long startedAt,
        Func<JsonObject, (UpstreamRequest? Request, string? Error, string? Param)> build)
    {
        var services = http.RequestServices;
        var (body, readError) = await ClientRequestReader.ReadAsync(http.Request, services.GetRequiredService<EdgeOptions>().MaxRequestBodyBytes, http.RequestAborted);
        if (body is null)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                // Gone while sending its body: a line in the log, nothing to write.
                LogCompleted(services.GetRequiredService<ILogger<UpstreamDispatcher>>(), http, endpoint, "-", null, UpstreamDispatcher.ClientClosed.Status, startedAt);
                return null;
            }
            await readError!.ExecuteAsync(http);
            return null;
        }
        var (request, error, param) = build(body);
        if (request is null)
        {
            await OpenAiError.Result(StatusCodes.Status400BadRequest, error!, "invalid_request_error", param: param).ExecuteAsync(http);
            return null;
        }
        var result = await services.GetRequiredService<UpstreamDispatcher>().DispatchAsync(
            new UpstreamCall(request.Model, request.SessionKey, ClientName(http), request.Body, http.Request.Headers), http.RequestAborted);
        if (result.Exchange is { } exchange)
        {
            Explain(http, exchange);
            return exchange;
        }
        services.GetRequiredService<EdgeMetrics>().Completed(endpoint, result.Failure!.Status, null, startedAt);
        LogCompleted(services.GetRequiredService<ILogger<UpstreamDispatcher>>(), http, endpoint, request.Model, null, result.Failure.Status, startedAt);
        if (result.Failure == UpstreamDispatcher.ClientClosed || http.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
        await Failure(http, result.Failure).ExecuteAsync(http);
        return null;
    }

    /// <summary>Answers with an upstream failure: OpenAI's error shape, Retry-After in whole seconds when waiting helps.</summary>
    public static IResult Failure(HttpContext http, UpstreamFailure failure)
    {
        if (failure.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var error = new JsonObject
        {
            ["message"] = failure.Message,
            ["type"] = failure.Type,
            ["param"] = null,
            ["code"] = failure.Code,
        };
        if (failure.ResetsAt is { } resetsAt)
        {
            // The Codex CLI reads these to say when the limit resets (codex-protocol.md §6.1).
            error["resets_at"] = resetsAt.ToUnixTimeSeconds();
            error["resets_in_seconds"] = (long)Math.Max(0, (failure.RetryAfter ?? TimeSpan.Zero).TotalSeconds);
        }
        return Results.Content(new JsonObject { ["error"] = error }.ToJsonString(), "application/json", statusCode: failure.Status);
    }

    /// <summary>With <c>x-multicodex-explain</c> on the request, names the account and why it was chosen.</summary>
    public static void Explain(HttpContext http, UpstreamExchange exchange)
    {
        if (http.Request.Headers.ContainsKey(ExplainHeader))
        {
            http.Response.Headers["x-multicodex-account"] = exchange.Lease.AccountId;
            http.Response.Headers["x-multicodex-reason"] = exchange.Lease.Explanation;
        }
    }

    /// <summary>The response headers of the upstream a client may see (the Codex CLI replays x-codex-turn-state).</summary>
    public static void CopyUpstreamHeaders(HttpContext http, UpstreamExchange exchange)
    {
        foreach (var (name, values) in exchange.Response.Headers)
        {
            if (name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase) || name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase) || name.Equals("x-models-etag", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }
    }

    public static void LogCompleted(ILogger logger, HttpContext http, string endpoint, string model, UpstreamExchange? exchange, int status, long startedAt)
    {
        var usage = exchange?.Usage;
        Log.Completed(logger, endpoint, ClientName(http) ?? "-", exchange?.Lease.AccountId ?? "-", model, status, exchange?.Failure?.ErrorCode ?? "-",
            exchange?.TimeToFirstByte.TotalMilliseconds ?? 0, System.Diagnostics.Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds,
            usage?.InputTokens ?? 0, usage?.CachedInputTokens ?? 0, usage?.OutputTokens ?? 0);
    }

    private static partial class Log
    {
        [LoggerMessage(2301, LogLevel.Information,
            "{Endpoint} key={Client} account={Account} model={Model} status={Status} error={Error} ttfb_ms={TtfbMs:F0} duration_ms={DurationMs:F0} tokens_in={InputTokens} tokens_cached={CachedTokens} tokens_out={OutputTokens}")]
        public static partial void Completed(ILogger logger, string endpoint, string client, string account, string model, int status, string error,
            double ttfbMs, double durationMs, long inputTokens, long cachedTokens, long outputTokens);
    }
}
