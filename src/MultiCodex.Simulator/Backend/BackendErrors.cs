using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>Error bodies of the ChatGPT backend as real clients have recorded them (codex-protocol.md §2.3, §6).</summary>
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
