using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Error bodies of <c>auth.openai.com</c>: <c>{"error":{message,type,param,code}}</c> (docs/upstream-protocol.md §9).
/// The texts of <c>refresh_token_expired</c> and of the code-grant errors are not confirmed upstream.</summary>
internal static class OAuthErrors
{
    public static JsonObject RefreshTokenReused() => Error(
        "Your refresh token has already been used to generate a new access token. Please try signing in again.", "refresh_token_reused");

    public static JsonObject RefreshTokenInvalidated() => Error("Your session has ended. Please log in again.", "refresh_token_invalidated");

    public static JsonObject RefreshTokenExpired() => Error("Your refresh token has expired. Please try signing in again.", "refresh_token_expired");

    public static JsonObject InvalidRefreshToken() => Error("Your refresh token is invalid. Please try signing in again.", "invalid_refresh_token");

    /// <summary>The "logged out or signed in to another account" failure, carried by its message alone.</summary>
    public static JsonObject SignedOutElsewhere() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = "Your access token could not be refreshed because you have since logged out or signed in to another account. Please sign in again.",
            ["type"] = "invalid_request_error",
            ["param"] = null,
            ["code"] = null,
        },
    };

    public static JsonObject InvalidGrant(string message) => Error(message, "invalid_grant");

    public static JsonObject InvalidRequest(string message) => Error(message, "invalid_request");

    public static JsonObject InvalidClient() => Error("Unknown or mismatched client_id.", "invalid_client");

    public static JsonObject UnsupportedGrantType(string? grantType) => Error($"Unsupported grant_type '{grantType}'.", "unsupported_grant_type");

    public static JsonObject AuthorizationPending() => Error("Device authorization is pending. Please try again.", "authorization_pending");

    public static JsonObject DeviceCodeExpired() => Error("The device code has expired. Please start again.", "expired_token");

    public static JsonObject ServerError() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = "An internal error occurred. Please try again later.",
            ["type"] = "server_error",
            ["param"] = null,
            ["code"] = "server_error",
        },
    };

    private static JsonObject Error(string message, string code) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = "invalid_request_error",
            ["param"] = null,
            ["code"] = code,
        },
    };
}
