using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>JWT-shaped tokens with the claims the ChatGPT issuer puts in them (docs/chatgpt-sign-in.md §5).</summary>
public static class TestTokens
{
    public sealed record Set(string AccessToken, string RefreshToken, string IdToken, string ChatGptAccountId, string UserId, string Email);

    public static Set For(string email, string plan = "plus", string? accountId = null, string? userId = null, DateTimeOffset? expires = null)
    {
        accountId ??= Guid.NewGuid().ToString();
        userId ??= "user-" + Guid.NewGuid().ToString("N")[..16];
        var exp = (expires ?? DateTimeOffset.UtcNow.AddDays(10)).ToUnixTimeSeconds();
        JsonObject Auth() => new()
        {
            ["chatgpt_account_id"] = accountId,
            ["chatgpt_plan_type"] = plan,
            ["chatgpt_user_id"] = userId,
            ["user_id"] = userId,
        };
        var access = Jwt(new JsonObject { ["exp"] = exp, ["https://api.openai.com/auth"] = Auth(), ["https://api.openai.com/profile"] = new JsonObject { ["email"] = email } });
        var id = Jwt(new JsonObject { ["exp"] = exp, ["email"] = email, ["https://api.openai.com/auth"] = Auth() });
        return new Set(access, "rt_" + Guid.NewGuid().ToString("N"), id, accountId, userId, email);
    }

    /// <summary>An access token that names the account id and email but no user id, as some sign-ins give without an id token.</summary>
    public static string AccessTokenWithoutUserId(string email, string accountId, DateTimeOffset expires) => Jwt(new JsonObject
    {
        ["exp"] = expires.ToUnixTimeSeconds(),
        ["https://api.openai.com/auth"] = new JsonObject { ["chatgpt_account_id"] = accountId, ["chatgpt_plan_type"] = "plus" },
        ["https://api.openai.com/profile"] = new JsonObject { ["email"] = email },
    });

    public static string AuthJson(Set tokens) => new JsonObject
    {
        ["auth_mode"] = "chatgpt",
        ["OPENAI_API_KEY"] = null,
        ["tokens"] = new JsonObject
        {
            ["id_token"] = tokens.IdToken,
            ["access_token"] = tokens.AccessToken,
            ["refresh_token"] = tokens.RefreshToken,
            ["account_id"] = tokens.ChatGptAccountId,
        },
        ["last_refresh"] = "2026-08-01T12:34:56.789Z",
    }.ToJsonString();

    private static string Jwt(JsonObject payload) =>
        Segment(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" }) + "." + Segment(payload) + "." + Base64Url.EncodeToString(Guid.NewGuid().ToByteArray());

    private static string Segment(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
