using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Control.Accounts;

/// <summary>Reads and writes the Codex CLI's <c>auth.json</c> (docs/chatgpt-sign-in.md §6).</summary>
public static class AuthJson
{
    /// <summary>The token set in an auth.json text, or null with a message fit for the operator.</summary>
    public static (string AccessToken, string RefreshToken, string? IdToken)? TryParse(string text, out string error)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            error = $"auth.json is not valid JSON (line {e.LineNumber + 1}).";
            return null;
        }
        if (root is not JsonObject file)
        {
            error = "auth.json must be a JSON object.";
            return null;
        }
        // The export route's answer, {"authJson": "<file text>"}, pasted or posted as it is: the file is inside.
        if (file["tokens"] is null && Text(file["authJson"] ?? file["auth_json"]) is { } inner)
        {
            return TryParse(inner, out error);
        }
        if (file["auth_mode"] is JsonValue mode && mode.TryGetValue<string>(out var modeText)
            && modeText.Equals("apikey", StringComparison.OrdinalIgnoreCase))
        {
            error = "This auth.json holds an API key, not a ChatGPT sign-in (auth_mode is \"apikey\").";
            return null;
        }
        if (file["tokens"] is not JsonObject tokens)
        {
            error = "auth.json has no \"tokens\" object: paste the file a ChatGPT sign-in of the Codex CLI writes (~/.codex/auth.json) or what the export route returned.";
            return null;
        }
        var access = Text(tokens["access_token"]);
        var refresh = Text(tokens["refresh_token"]);
        if (access is null || refresh is null)
        {
            error = "auth.json \"tokens\" needs both \"access_token\" and \"refresh_token\".";
            return null;
        }
        error = "";
        return (access, refresh, IdToken(tokens["id_token"]));
    }

    /// <summary>Writes an auth.json that the Codex CLI accepts.</summary>
    public static string Format(AccountRecord account) =>
        new JsonObject
        {
            ["auth_mode"] = "chatgpt",
            ["OPENAI_API_KEY"] = null,
            ["tokens"] = new JsonObject
            {
                ["id_token"] = account.Tokens.IdToken,
                ["access_token"] = account.Tokens.AccessToken,
                ["refresh_token"] = account.Tokens.RefreshToken,
                ["account_id"] = account.ChatGptAccountId,
            },
            ["last_refresh"] = account.Tokens.LastRefresh.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    // Older CLI versions stored the id token as an object holding the raw JWT.
    private static string? IdToken(JsonNode? node) =>
        Text(node) ?? (node is JsonObject parsed ? Text(parsed["raw_jwt"]) : null);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
}
