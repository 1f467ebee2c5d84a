using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.Backend;

/// <summary>The answer to one validated Responses request, decided once and written by either transport: an error
/// (status, body, and for quota answers the kind and the snapshot for its headers) or a stream of events.</summary>
internal abstract record TurnAnswer;

/// <summary>An error answer. <see cref="QuotaUsage"/> is set for quota answers (the snapshot with the blocking window at
/// 100 %), so both transports can add the rate-limit headers.</summary>
internal sealed record ErrorAnswer(int Status, JsonObject Body, UsageSnapshot? QuotaUsage = null, RateLimitReachedKind? Kind = null) : TurnAnswer;

/// <summary>A streamed answer: the planned events, the behaviour that paces them, and what the response leaves behind.</summary>
internal sealed record StreamAnswer(ResponseStreamBuilder Builder, IReadOnlyList<SseEvent> Events, ResponseBehavior Behavior, bool OnReserve) : TurnAnswer
{
    /// <summary>True when the stream ends with <c>response.completed</c> (usage is charged then).</summary>
    public bool Completes => Events[^1].Type == "response.completed";
}

/// <summary>Decides <see cref="TurnAnswer"/>s: the account's next scripted behaviour, else its real quota (the reserve
/// meter for the reserve model), then the events in the real order.</summary>
internal static class ResponseTurn
{
    public static TurnAnswer Plan(SimulatorState state, SimAccount account, ResponsesRequest request, int bodyLength)
    {
        var usage = account.GetUsage();
        if (request.IsReserve && usage.Reserve is null)
        {
            return new ErrorAnswer(StatusCodes.Status400BadRequest, BackendErrors.UnsupportedModel(request.Model));
        }

        var builder = new ResponseStreamBuilder(request.Model, state.Now, request.WithReasoning, state.Options.IncludeOutputInCompleted);
        if (!request.Generate)
        {
            // A warmup generates nothing: it answers the account's quota but spends no scripted behaviour.
            return Blocked(state, usage, request) is { } limited
                ? Error(limited, account, usage, state)!
                : new StreamAnswer(builder, builder.Warmup(), ResponseBehavior.Success, false);
        }

        var behavior = account.DequeueBehavior()
            ?? (Blocked(state, usage, request) is { } automatic ? automatic : ResponseBehavior.Success);
        return (TurnAnswer?)Error(behavior, account, usage, state)
            ?? new StreamAnswer(builder, Script(builder, behavior, account, usage, request, state, bodyLength), behavior, request.IsReserve);
    }

    /// <summary>The automatic quota answer when the meter that pays for this request is used up.</summary>
    private static ResponseBehavior? Blocked(SimulatorState state, UsageSnapshot usage, ResponsesRequest request)
    {
        if (!state.Options.EnforceUsageLimits)
        {
            return null;
        }

        if (request.IsReserve)
        {
            return usage.Reserve!.Allowed ? null : ResponseBehavior.UsageLimitReached();
        }

        return usage.ReachedKind is { } kind ? ResponseBehavior.RateLimitReached(kind) : null;
    }

    private static ErrorAnswer? Error(ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, SimulatorState state) => behavior.Kind switch
    {
        ResponseBehaviorKind.UsageLimitReached => Quota(StatusCodes.Status429TooManyRequests, behavior, account, usage, state),
        ResponseBehaviorKind.UsageLimitReachedAs404 => Quota(StatusCodes.Status404NotFound, behavior, account, usage, state),
        ResponseBehaviorKind.UsageNotIncluded => new(StatusCodes.Status429TooManyRequests, BackendErrors.UsageNotIncluded(account.Plan)),
        ResponseBehaviorKind.RateLimitExceeded => new(StatusCodes.Status429TooManyRequests, BackendErrors.RateLimitExceeded()),
        ResponseBehaviorKind.TokenExpired => new(StatusCodes.Status401Unauthorized, BackendErrors.TokenExpired()),
        ResponseBehaviorKind.TokenInvalidated => new(StatusCodes.Status401Unauthorized, BackendErrors.TokenInvalidated()),
        ResponseBehaviorKind.Overloaded => new(StatusCodes.Status503ServiceUnavailable, BackendErrors.Overloaded()),
        ResponseBehaviorKind.ServerError => new(StatusCodes.Status500InternalServerError, BackendErrors.ServerError()),
        ResponseBehaviorKind.BadRequest => new(StatusCodes.Status400BadRequest, BackendErrors.Detail(behavior.ErrorCode!)),
        ResponseBehaviorKind.HttpError => new(behavior.StatusCode, RawBody(behavior.ErrorMessage!)),
        _ => null,
    };

    private static JsonObject RawBody(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? BackendErrors.Detail(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return BackendErrors.Detail(text);
        }
    }

    /// <summary>A usage-limit answer names its kind and carries the snapshot with the blocking window at 100 %.</summary>
    private static ErrorAnswer Quota(int status, ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, SimulatorState state)
    {
        var (resetsAt, resetsIn) = QuotaReset(behavior, account, usage, state);
        var kind = behavior.ReachedKind ?? usage.ReachedKind ?? RateLimitReachedKind.UsageLimit;
        var body = BackendErrors.RateLimitReached(kind, account.Plan, resetsAt, resetsIn);
        return new ErrorAnswer(status, body, Exhausted(usage, resetsAt, state.Now), kind);
    }

    private static IReadOnlyList<SseEvent> Script(ResponseStreamBuilder builder, ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, ResponsesRequest request, SimulatorState state, int bodyLength)
    {
        switch (behavior.Kind)
        {
            case ResponseBehaviorKind.UsageLimitReachedInStream:
                var (resetsAt, resetsIn) = QuotaReset(behavior, account, usage, state);
                return builder.Failed(BackendErrors.StreamUsageLimit(account.Plan, resetsAt, resetsIn));
            case ResponseBehaviorKind.StreamFailed:
                return builder.Failed(BackendErrors.StreamError(behavior.ErrorCode!, behavior.ErrorMessage!));
            case ResponseBehaviorKind.FunctionCall:
                var callId = behavior.CallId ?? "call_" + Ids.Random(24);
                return builder.FunctionCall(behavior.FunctionName!, behavior.FunctionArguments!, callId, Usage(state, account, request, bodyLength, 24));
        }

        if (request.IsCompaction)
        {
            // The summary is opaque; its size stands for a compacted history.
            return builder.Compaction(state.Compactions.Mint(), Usage(state, account, request, bodyLength, 64));
        }

        var text = behavior.Text ?? $"Hello from {account.Email}: {request.LastUserText}";
        return builder.Text(text, Usage(state, account, request, bodyLength, ResponseStreamBuilder.SplitIntoDeltas(text).Count));
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

    private static (DateTimeOffset ResetsAt, long ResetsInSeconds) QuotaReset(ResponseBehavior behavior, SimAccount account, UsageSnapshot usage, SimulatorState state)
    {
        var now = state.Now;
        var resetsAt = behavior.ResetsIn is { } resetsIn ? now.Add(resetsIn)
            : usage.WorkspaceLimit is not null ? account.WorkspaceLimitResetsAt ?? now.AddDays(1)
            : usage.LimitResetsAt ?? (usage.Reserve is { Allowed: false } reserve ? reserve.Window.ResetAt : usage.Primary.ResetAt);
        return (resetsAt, Math.Max(0, (long)Math.Ceiling((resetsAt - now).TotalSeconds)));
    }

    private static UsageSnapshot Exhausted(UsageSnapshot usage, DateTimeOffset resetsAt, DateTimeOffset now)
    {
        if (usage.BlockingWindow is not null || usage.IsCreditOnly)
        {
            return usage;
        }

        var after = Math.Max(0, (long)Math.Ceiling((resetsAt - now).TotalSeconds));
        return usage with { Primary = usage.Primary with { UsedPercent = 100, ResetAt = resetsAt, ResetAfterSeconds = after } };
    }
}
