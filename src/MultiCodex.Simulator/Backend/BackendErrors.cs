using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>Error bodies of the ChatGPT backend as real clients have recorded them (docs/upstream-protocol.md §3, §4, §6–§9).
/// Where the upstream wording is not known the text says so in that doc.</summary>
internal static class BackendErrors
{
    public const string UsageLimitMessage = "The usage limit has been reached";

    /// <summary>FastAPI-style validation error: <c>{"detail":"..."}</c>.</summary>
    public static JsonObject Detail(string detail) => new() { ["detail"] = detail };

    public static JsonObject UsageLimitReached(string plan, DateTimeOffset resetsAt, long resetsInSeconds) => new()
    {
        ["error"] = new JsonObject
        {
            ["type"] = "usage_limit_reached",
            ["message"] = UsageLimitMessage,
            ["plan_type"] = plan,
            ["resets_at"] = resetsAt.ToUnixTimeSeconds(),
            ["resets_in_seconds"] = resetsInSeconds,
        },
    };

    /// <summary>The workspace and spend-control kinds (docs/upstream-protocol.md §8): the quota body codex recognises by
    /// <c>error.type</c>, with a message naming the kind; the kind itself travels in <c>x-codex-rate-limit-reached-type</c>.</summary>
    public static JsonObject RateLimitReached(RateLimitReachedKind kind, string plan, DateTimeOffset resetsAt, long resetsInSeconds)
    {
        var body = UsageLimitReached(plan, resetsAt, resetsInSeconds);
        if (kind != RateLimitReachedKind.UsageLimit)
        {
            body["error"]!["message"] = RateLimitKinds.Message(kind);
        }

        return body;
    }

    public static JsonObject UsageNotIncluded(string plan) => new()
    {
        ["error"] = new JsonObject
        {
            ["type"] = "usage_not_included",
            ["message"] = "The usage is not included in your plan",
            ["plan_type"] = plan,
        },
    };

    public static JsonObject RateLimitExceeded() =>
        OpenAiError("Rate limit reached. Please try again in 2s.", "requests", "rate_limit_exceeded");

    public static JsonObject TokenExpired() => WithStatus(
        OpenAiError("Provided authentication token is expired. Please try signing in again.", "invalid_request_error", "token_expired"), 401);

    public static JsonObject TokenInvalidated() => WithStatus(
        OpenAiError("Your authentication token has been invalidated. Please try signing in again.", "invalid_request_error", "token_invalidated"), 401);

    public static JsonObject MissingBearer() =>
        WithStatus(OpenAiError("Missing bearer or basic authentication in header", "invalid_request_error", null), 401);

    public static JsonObject AccountMismatch() => OpenAiError(
        "The ChatGPT-Account-ID header does not match the authenticated account.", "invalid_request_error", "account_mismatch");

    public static JsonObject Overloaded() =>
        OpenAiError("Selected model is at capacity. Please try a different model.", "server_error", "server_is_overloaded");

    public static JsonObject ServerError() => OpenAiError(
        "An error occurred while processing your request. Please try again.", "server_error", "server_error");

    public static JsonObject UnsupportedModel(string model) => OpenAiError(
        $"The '{model}' model is not supported when using Codex with a ChatGPT account.", "invalid_request_error", null, "model");

    public static JsonObject InvalidRequest(string message, string? param = null) =>
        OpenAiError(message, "invalid_request_error", null, param);

    /// <summary>A trigger that is not the last input item, or a second trigger (wording is the fake's own).</summary>
    public static JsonObject CompactionTriggerNotLast(int index) => OpenAiError(
        $"Invalid 'input[{index}]': a compaction_trigger item must be the last input item, and only one is allowed.",
        "invalid_request_error", "invalid_value", "input");

    public static JsonObject InvalidEncryptedContent(string? itemId) => OpenAiError(
        $"The encrypted content for item {itemId} could not be verified.", "invalid_request_error", "invalid_encrypted_content", "input");

    /// <summary>Verbatim from a captured upstream answer (Wei-Shaw/sub2api#4455), key order kept.</summary>
    public static JsonObject ResponsesLiteHostedTool() => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = "unsupported_value",
            ["message"] = "X-OpenAI-Internal-Codex-Responses-Lite only supports function tools, custom tools, and client-executed tool search.",
            ["param"] = "tools",
            ["type"] = "invalid_request_error",
        },
    };

    /// <summary>The <c>error</c> of the WebSocket frame for an unknown or foreign <c>previous_response_id</c>.</summary>
    public static JsonObject PreviousResponseNotFound(string responseId) => new()
    {
        ["type"] = "invalid_request_error",
        ["code"] = "previous_response_not_found",
        ["message"] = $"Previous response with id '{responseId}' not found.",
        ["param"] = "previous_response_id",
    };

    /// <summary>The <c>error</c> of the WebSocket frame once a connection is older than its limit.</summary>
    public static JsonObject ConnectionLimitReached(TimeSpan limit) => new()
    {
        ["type"] = "invalid_request_error",
        ["code"] = "websocket_connection_limit_reached",
        ["message"] = $"Responses websocket connection limit reached ({(int)limit.TotalMinutes} minutes). Create a new websocket connection to continue.",
    };

    /// <summary>The <c>error</c> object of a <c>response.failed</c> event.</summary>
    public static JsonObject StreamError(string code, string message) => new()
    {
        ["type"] = code,
        ["code"] = code,
        ["message"] = message,
    };

    public static JsonObject StreamUsageLimit(string plan, DateTimeOffset resetsAt, long resetsInSeconds)
    {
        var error = StreamError("usage_limit_reached", UsageLimitMessage);
        error["plan_type"] = plan;
        error["resets_at"] = resetsAt.ToUnixTimeSeconds();
        error["resets_in_seconds"] = resetsInSeconds;
        return error;
    }

    private static JsonObject OpenAiError(string message, string type, string? code, string? param = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    private static JsonObject WithStatus(JsonObject body, int status)
    {
        body["status"] = status;
        return body;
    }
}
