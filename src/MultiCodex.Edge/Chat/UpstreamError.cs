using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Chat;

/// <summary>
/// Turns an upstream <c>response.failed</c> or <c>error</c> event (§3.2, §6.2) into OpenAI's error payload
/// <c>{"error":{message,type,code,param}}</c>, which the Edge writes as a final <c>data:</c> line before <c>[DONE]</c>.
/// </summary>
internal static class UpstreamError
{
    private const string FallbackMessage = "The upstream response failed.";

    /// <summary><c>response.failed</c>: the error sits at <c>response.error</c>.</summary>
    public static JsonObject FromFailed(JsonElement data) =>
        FromError(EventData.Get(EventData.Get(data, "response"), "error"), readType: true);

    /// <summary><c>error</c>: either nested under <c>error</c> or flat on the event, whose own <c>type</c> is just "error".</summary>
    public static JsonObject FromErrorEvent(JsonElement data) =>
        EventData.Get(data, "error") is { ValueKind: JsonValueKind.Object } nested
            ? FromError(nested, readType: true)
            : FromError(data, readType: false);

    public static JsonObject Create(string message, string type, string? code, string? param) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["code"] = code,
            ["param"] = param,
        },
    };

    private static JsonObject FromError(JsonElement error, bool readType)
    {
        var code = EventData.String(error, "code");
        var type = readType ? EventData.String(error, "type") : null;
        return Create(
            EventData.String(error, "message") ?? FallbackMessage,
            type ?? (code == "context_length_exceeded" ? "invalid_request_error" : "server_error"),
            code,
            EventData.String(error, "param"));
    }
}
