namespace MultiCodex.Simulator;

/// <summary>What the fake does for one Responses request of an account, over HTTP (<c>POST /backend-api/codex/responses</c>)
/// or as one <c>response.create</c> frame over WebSocket (where an error status becomes an error frame with that status).
/// Queue them with <see cref="SimAccount.EnqueueBehavior"/>; an empty queue means <see cref="Success"/>. WebSocket warmups
/// (<c>generate:false</c>) do not take a behaviour from the queue.</summary>
public sealed record ResponseBehavior
{
    private ResponseBehavior(ResponseBehaviorKind kind) => Kind = kind;

    /// <summary>Which behaviour this is.</summary>
    public ResponseBehaviorKind Kind { get; }

    /// <summary>Reply text for <see cref="ResponseBehaviorKind.Success"/>; null = the deterministic echo.</summary>
    public string? Text { get; private init; }

    /// <summary>Tool name for <see cref="ResponseBehaviorKind.FunctionCall"/>.</summary>
    public string? FunctionName { get; private init; }

    /// <summary>Tool arguments (a JSON string) for <see cref="ResponseBehaviorKind.FunctionCall"/>.</summary>
    public string? FunctionArguments { get; private init; }

    /// <summary>The <c>call_id</c> of a function call; null = generated.</summary>
    public string? CallId { get; private init; }

    /// <summary>Time until the quota resets for the usage-limit kinds; null = the account's blocking window.</summary>
    public TimeSpan? ResetsIn { get; private init; }

    /// <summary>The kind a usage-limit answer names (<c>x-codex-rate-limit-reached-type</c>); null = the account's own.</summary>
    public RateLimitReachedKind? ReachedKind { get; private init; }

    /// <summary>Number of text deltas sent before <see cref="ResponseBehaviorKind.DropMidStream"/> aborts.</summary>
    public int DeltasBeforeDrop { get; private init; }

    /// <summary>Delay before every event (0 = none), on the fake's <see cref="FakeChatGpt.TimeProvider"/>: with a fake clock,
    /// the stream moves on only when the test advances it (see <see cref="FakeChatGpt.WaitForPausedStreamAsync"/>).</summary>
    public TimeSpan EventDelay { get; private init; }

    /// <summary>Over WebSocket: an event of this type, unknown to clients, right after <c>response.created</c>; null = none.</summary>
    public string? ExtraEventType { get; private init; }

    /// <summary>Over WebSocket: the response ends with <c>response.done</c> instead of <c>response.completed</c>, as some
    /// upstream paths do (CLIProxyAPI rewrites it, <c>normalizeCodexWebsocketCompletion</c>).</summary>
    public bool EndsWithResponseDone { get; private init; }

    /// <summary>HTTP status for <see cref="ResponseBehaviorKind.HttpError"/>.</summary>
    public int StatusCode { get; private init; }

    /// <summary>Error code for <see cref="ResponseBehaviorKind.StreamFailed"/>, or the detail of a 400.</summary>
    public string? ErrorCode { get; private init; }

    /// <summary>Error message for <see cref="ResponseBehaviorKind.StreamFailed"/>, or the raw JSON body of <see cref="ResponseBehaviorKind.HttpError"/>.</summary>
    public string? ErrorMessage { get; private init; }

    /// <summary>A normal streamed reply with the deterministic text "Hello from &lt;email&gt;: &lt;last user text&gt;".</summary>
    public static ResponseBehavior Success { get; } = new(ResponseBehaviorKind.Success);

    /// <summary>A normal streamed reply with the given text.</summary>
    public static ResponseBehavior Reply(string text) => new(ResponseBehaviorKind.Success) { Text = text };

    /// <summary>A streamed <c>function_call</c> output item (a tool call) instead of text.</summary>
    public static ResponseBehavior FunctionCall(string name, string argumentsJson, string? callId = null) =>
        new(ResponseBehaviorKind.FunctionCall) { FunctionName = name, FunctionArguments = argumentsJson, CallId = callId };

    /// <summary>HTTP 429 <c>usage_limit_reached</c> with <c>resets_at</c>/<c>resets_in_seconds</c> and the <c>x-codex-*</c> headers.</summary>
    public static ResponseBehavior UsageLimitReached(TimeSpan? resetsIn = null) =>
        new(ResponseBehaviorKind.UsageLimitReached) { ResetsIn = resetsIn };

    /// <summary>HTTP 429 quota answer of the given kind: the <c>usage_limit_reached</c> body (codex recognises it by
    /// <c>error.type</c>) plus <c>x-codex-rate-limit-reached-type</c> naming the kind.</summary>
    public static ResponseBehavior RateLimitReached(RateLimitReachedKind kind, TimeSpan? resetsIn = null) =>
        new(ResponseBehaviorKind.UsageLimitReached) { ResetsIn = resetsIn, ReachedKind = kind };

    /// <summary>HTTP 404 carrying the <c>usage_limit_reached</c> body (a form seen in the wild).</summary>
    public static ResponseBehavior UsageLimitReachedAs404(TimeSpan? resetsIn = null) =>
        new(ResponseBehaviorKind.UsageLimitReachedAs404) { ResetsIn = resetsIn };

    /// <summary>HTTP 200 whose first SSE event is <c>response.failed</c> with <c>usage_limit_reached</c>.</summary>
    public static ResponseBehavior UsageLimitReachedInStream(TimeSpan? resetsIn = null) =>
        new(ResponseBehaviorKind.UsageLimitReachedInStream) { ResetsIn = resetsIn };

    /// <summary>HTTP 429 <c>usage_not_included</c> (plan has no Codex).</summary>
    public static ResponseBehavior UsageNotIncluded() => new(ResponseBehaviorKind.UsageNotIncluded);

    /// <summary>HTTP 429 <c>rate_limit_exceeded</c> (short-term throttling, not the usage quota).</summary>
    public static ResponseBehavior RateLimitExceeded() => new(ResponseBehaviorKind.RateLimitExceeded);

    /// <summary>HTTP 401 <c>token_expired</c>.</summary>
    public static ResponseBehavior TokenExpired() => new(ResponseBehaviorKind.TokenExpired);

    /// <summary>HTTP 401 <c>token_invalidated</c>.</summary>
    public static ResponseBehavior TokenInvalidated() => new(ResponseBehaviorKind.TokenInvalidated);

    /// <summary>HTTP 503 <c>server_is_overloaded</c>.</summary>
    public static ResponseBehavior Overloaded() => new(ResponseBehaviorKind.Overloaded);

    /// <summary>HTTP 500 <c>server_error</c>.</summary>
    public static ResponseBehavior ServerError() => new(ResponseBehaviorKind.ServerError);

    /// <summary>HTTP 400 <c>{"detail":"..."}</c>, like the backend's validation errors.</summary>
    public static ResponseBehavior BadRequest(string detail) => new(ResponseBehaviorKind.BadRequest) { ErrorCode = detail };

    /// <summary>A 200 stream that sends some text deltas, then aborts the connection (no <c>response.completed</c>).</summary>
    public static ResponseBehavior DropMidStream(int deltasBeforeDrop = 2) =>
        new(ResponseBehaviorKind.DropMidStream) { DeltasBeforeDrop = deltasBeforeDrop };

    /// <summary>A 200 stream whose first event is <c>response.failed</c> with the given error code and message.</summary>
    public static ResponseBehavior StreamFailed(string code, string message) =>
        new(ResponseBehaviorKind.StreamFailed) { ErrorCode = code, ErrorMessage = message };

    /// <summary>Any status with a raw JSON body.</summary>
    public static ResponseBehavior HttpError(int statusCode, string jsonBody) =>
        new(ResponseBehaviorKind.HttpError) { StatusCode = statusCode, ErrorMessage = jsonBody };

    /// <summary>A normal reply streamed slowly: <paramref name="delay"/> before every event.</summary>
    public static ResponseBehavior Slow(TimeSpan delay) => Success.WithEventDelay(delay);

    /// <summary>This behaviour with a delay before every event on the fake's clock (streaming kinds only).</summary>
    public ResponseBehavior WithEventDelay(TimeSpan delay) => this with { EventDelay = delay };

    /// <summary>This behaviour with an event of <paramref name="type"/> after <c>response.created</c> (WebSocket only).</summary>
    public ResponseBehavior WithExtraEvent(string type) => this with { ExtraEventType = type };

    /// <summary>This behaviour ending with <c>response.done</c> (WebSocket only).</summary>
    public ResponseBehavior EndingWithResponseDone() => this with { EndsWithResponseDone = true };
}

/// <summary>The kinds of <see cref="ResponseBehavior"/>.</summary>
public enum ResponseBehaviorKind
{
    /// <summary>Normal text reply.</summary>
    Success,

    /// <summary>Tool call reply.</summary>
    FunctionCall,

    /// <summary>429 usage_limit_reached.</summary>
    UsageLimitReached,

    /// <summary>404 with the usage_limit_reached body.</summary>
    UsageLimitReachedAs404,

    /// <summary>200 whose first event is response.failed usage_limit_reached.</summary>
    UsageLimitReachedInStream,

    /// <summary>429 usage_not_included.</summary>
    UsageNotIncluded,

    /// <summary>429 rate_limit_exceeded.</summary>
    RateLimitExceeded,

    /// <summary>401 token_expired.</summary>
    TokenExpired,

    /// <summary>401 token_invalidated.</summary>
    TokenInvalidated,

    /// <summary>503 server_is_overloaded.</summary>
    Overloaded,

    /// <summary>500 server_error.</summary>
    ServerError,

    /// <summary>400 {"detail"}.</summary>
    BadRequest,

    /// <summary>Stream aborted after some deltas.</summary>
    DropMidStream,

    /// <summary>200 whose first event is response.failed with a custom code.</summary>
    StreamFailed,

    /// <summary>Any status with a raw body.</summary>
    HttpError,
}
