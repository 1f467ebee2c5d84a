using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.Backend;

/// <summary><c>POST /backend-api/codex/responses</c>: authenticate, validate, pick the account's next scripted
/// behaviour (or an automatic usage-limit answer), then answer with an error or an SSE stream.</summary>
internal static class ResponsesEndpoint
{
    private static readonly TimeSpan DropGrace = TimeSpan.FromMilliseconds(150);

    public static async Task HandleAsync(HttpContext context, SimulatorState state)
    {
        // 1. Who is calling.
        var account = BackendAuth.Authenticate(context, state, out var authFailure);
        if (account is null)
        {
            await authFailure!.ExecuteAsync(context);
            return;
        }

        account.CountResponsesRequest();

        // 2. Is the body acceptable.
        var request = ResponsesRequestValidator.Validate(context.Recorded().Json, ModelCatalog.Slugs, state.Options);
        if (request.Error is not null)
        {
            await JsonResults.Of(request.Error, StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        // 3. What to do: scripted behaviour first, then the account's real quota.
        var usage = account.GetUsage();
        var behavior = account.DequeueBehavior()
            ?? (state.Options.EnforceUsageLimits && usage.LimitReached ? ResponseBehavior.UsageLimitReached() : ResponseBehavior.Success);

        // 4. Answer.
        var error = ErrorAnswer(behavior, account, usage, state);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }

        await StreamAsync(context, state, account, usage, request, behavior);
    }

    private static IResult? ErrorAnswer(ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, SimulatorState state)
    {
        return behavior.Kind switch
        {
            ResponseBehaviorKind.UsageLimitReached => UsageLimit(StatusCodes.Status429TooManyRequests, behavior, account, usage, state),
            ResponseBehaviorKind.UsageLimitReachedAs404 => UsageLimit(StatusCodes.Status404NotFound, behavior, account, usage, state),
            ResponseBehaviorKind.UsageNotIncluded => JsonResults.Of(BackendErrors.UsageNotIncluded(account.Plan), StatusCodes.Status429TooManyRequests),
            ResponseBehaviorKind.RateLimitExceeded => JsonResults.Of(BackendErrors.RateLimitExceeded(), StatusCodes.Status429TooManyRequests),
            ResponseBehaviorKind.TokenExpired => JsonResults.Of(BackendErrors.TokenExpired(), StatusCodes.Status401Unauthorized),
            ResponseBehaviorKind.TokenInvalidated => JsonResults.Of(BackendErrors.TokenInvalidated(), StatusCodes.Status401Unauthorized),
            ResponseBehaviorKind.Overloaded => JsonResults.Of(BackendErrors.Overloaded(), StatusCodes.Status503ServiceUnavailable),
            ResponseBehaviorKind.ServerError => JsonResults.Of(BackendErrors.ServerError(), StatusCodes.Status500InternalServerError),
            ResponseBehaviorKind.BadRequest => JsonResults.Of(BackendErrors.Detail(behavior.ErrorCode!), StatusCodes.Status400BadRequest),
            ResponseBehaviorKind.HttpError => Results.Text(behavior.ErrorMessage, "application/json", statusCode: behavior.StatusCode),
            _ => null,
        };
    }

    /// <summary>A usage-limit answer carries the snapshot headers with the blocking window at 100 %.</summary>
    private static IResult UsageLimit(int status, ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, SimulatorState state)
    {
        var (resetsAt, resetsIn) = QuotaReset(behavior, usage, state);
        var body = BackendErrors.UsageLimitReached(account.Plan, resetsAt, resetsIn);
        return new ResultWithHeaders(JsonResults.Of(body, status), response =>
            RateLimitHeaders.Apply(response, account, Exhausted(usage, resetsAt, state.Now), state.Options.ModelsEtag));
    }

    private static async Task StreamAsync(HttpContext context, SimulatorState state, SimAccount account, UsageSnapshot usage, ResponsesRequest request, ResponseBehavior behavior)
    {
        var builder = new ResponseStreamBuilder(request.Model, state.Now, request.WithReasoning, state.Options.IncludeOutputInCompleted);
        var bodyLength = context.Recorded().BodyText?.Length ?? 0;
        var events = Script(builder, behavior, account, usage, request, state, bodyLength);

        var response = context.Response;
        SseWriter.PrepareHeaders(response);
        RateLimitHeaders.Apply(response, account, usage, state.Options.ModelsEtag);
        response.Headers["x-request-id"] = Ids.Uuid();
        response.Headers["x-codex-turn-state"] = "sim-" + Ids.Hex(8);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var writer = new SseWriter(response, behavior.EventDelay);
        var ct = context.RequestAborted;
        var deltas = 0;
        try
        {
            // The real backend answers with its headers at once; the events follow as they are made.
            await response.Body.FlushAsync(ct);
            foreach (var sseEvent in events)
            {
                if (behavior.Kind == ResponseBehaviorKind.DropMidStream && sseEvent.IsTextDelta && deltas == behavior.DeltasBeforeDrop)
                {
                    break;
                }

                await writer.WriteAsync(sseEvent, ct);
                deltas += sseEvent.IsTextDelta ? 1 : 0;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        if (behavior.Kind == ResponseBehaviorKind.DropMidStream)
        {
            // No response.completed and no clean chunked terminator: the client sees a broken connection.
            // A flush only hands bytes to Kestrel's output pipe and Abort discards what the socket has not sent
            // yet, so give the socket a moment: the client must receive the deltas before the reset.
            await Task.Delay(DropGrace, CancellationToken.None);
            context.Abort();
            return;
        }

        if (events[^1].Type == "response.completed")
        {
            account.RecordCompletedResponse();
        }
    }

    private static IReadOnlyList<SseEvent> Script(ResponseStreamBuilder builder, ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, ResponsesRequest request, SimulatorState state, int bodyLength)
    {
        switch (behavior.Kind)
        {
            case ResponseBehaviorKind.UsageLimitReachedInStream:
                var (resetsAt, resetsIn) = QuotaReset(behavior, usage, state);
                return builder.Failed(BackendErrors.StreamUsageLimit(account.Plan, resetsAt, resetsIn));
            case ResponseBehaviorKind.StreamFailed:
                return builder.Failed(BackendErrors.StreamError(behavior.ErrorCode!, behavior.ErrorMessage!));
            case ResponseBehaviorKind.FunctionCall:
                var callId = behavior.CallId ?? "call_" + Ids.Random(24);
                return builder.FunctionCall(behavior.FunctionName!, behavior.FunctionArguments!, callId, Usage(state, account, request, bodyLength, 24));
            default:
                var text = behavior.Text ?? $"Hello from {account.Email}: {request.LastUserText}";
                return builder.Text(text, Usage(state, account, request, bodyLength, ResponseStreamBuilder.SplitIntoDeltas(text).Count));
        }
    }

    /// <summary>Deterministic token figures: ~4 characters per input token, cache hits from a repeated prompt_cache_key.</summary>
    private static UsageFigures Usage(SimulatorState state, SimAccount account, ResponsesRequest request, int bodyLength, int visibleOutputTokens)
    {
        var input = Math.Max(1, bodyLength / 4);
        var cached = request.PromptCacheKey is { } key && !state.SeenPromptCacheKeys.TryAdd(account.ChatGptAccountId + "|" + key, 0)
            ? input / 2
            : 0;
        var reasoning = request.WithReasoning ? 16 : 0;
        return new UsageFigures(input, cached, visibleOutputTokens + reasoning, reasoning);
    }

    private static (DateTimeOffset ResetsAt, long ResetsInSeconds) QuotaReset(ResponseBehavior behavior, UsageSnapshot usage, SimulatorState state)
    {
        var window = usage.BlockingWindow ?? usage.Primary;
        var resetsAt = behavior.ResetsIn is { } resetsIn ? state.Now.Add(resetsIn) : window.ResetAt;
        return (resetsAt, Math.Max(0, (long)Math.Ceiling((resetsAt - state.Now).TotalSeconds)));
    }

    private static UsageSnapshot Exhausted(UsageSnapshot usage, DateTimeOffset resetsAt, DateTimeOffset now)
    {
        if (usage.BlockingWindow is not null)
        {
            return usage;
        }

        var after = Math.Max(0, (long)Math.Ceiling((resetsAt - now).TotalSeconds));
        return usage with { Primary = usage.Primary with { UsedPercent = 100, ResetAt = resetsAt, ResetAfterSeconds = after } };
    }

    /// <summary>Adds headers just before an inner result writes.</summary>
    private sealed class ResultWithHeaders(IResult inner, Action<HttpResponse> addHeaders) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            addHeaders(httpContext.Response);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
