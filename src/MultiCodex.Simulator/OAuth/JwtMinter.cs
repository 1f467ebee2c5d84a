using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Builds JWT-shaped tokens with the claims the real issuer puts in (codex `codex-rs/login/src/token_data.rs`).
/// The signature is random bytes: clients decode the payload without verifying it.</summary>
internal static class JwtMinter
{
    private const string AuthClaim = "https://api.openai.com/auth";
    private const string ProfileClaim = "https://api.openai.com/profile";

    public static string AccessToken(SimAccount account, FakeChatGptOptions options, string sessionId, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var payload = new JsonObject
        {
            ["aud"] = new JsonArray("https://api.openai.com/v1"),
            ["client_id"] = options.ClientId,
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
            [AuthClaim] = AuthClaims(account, issuedAt, withOrganizations: false),
            [ProfileClaim] = Profile(account),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["iss"] = options.JwtIssuer,
            ["jti"] = Ids.Uuid(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["pwd_auth_time"] = issuedAt.ToUnixTimeMilliseconds(),
            ["scp"] = new JsonArray("openid", "profile", "email", "offline_access"),
            ["session_id"] = sessionId,
            ["sub"] = Subject(account),
        };
        return Encode(payload);
    }

    public static string IdToken(SimAccount account, FakeChatGptOptions options, string sessionId, DateTimeOffset issuedAt)
    {
        var payload = new JsonObject
        {
            ["at_hash"] = Ids.Base64Url(16),
            ["aud"] = new JsonArray(options.ClientId),
            ["auth_provider"] = "password",
            ["auth_time"] = issuedAt.ToUnixTimeSeconds(),
            ["email"] = account.Email,
            ["email_verified"] = true,
            ["exp"] = issuedAt.Add(options.IdTokenLifetime).ToUnixTimeSeconds(),
            [AuthClaim] = AuthClaims(account, issuedAt, withOrganizations: true),
            [ProfileClaim] = Profile(account),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["iss"] = options.JwtIssuer,
            ["jti"] = Ids.Uuid(),
            ["rat"] = issuedAt.ToUnixTimeSeconds(),
            ["sid"] = sessionId,
            ["sub"] = Subject(account),
        };
        return Encode(payload);
    }

    private static string Subject(SimAccount account) => "auth0|" + account.UserId["user-".Length..];

    private static JsonObject Profile(SimAccount account) =>
        new() { ["email"] = account.Email, ["email_verified"] = true };

    private static JsonObject AuthClaims(SimAccount account, DateTimeOffset issuedAt, bool withOrganizations)
    {
        var claims = new JsonObject
        {
            ["chatgpt_account_id"] = account.ChatGptAccountId,
            ["chatgpt_account_user_id"] = account.UserId + "__" + account.ChatGptAccountId,
            ["chatgpt_compute_residency"] = "no_constraint",
            ["chatgpt_plan_type"] = account.Plan,
            ["chatgpt_user_id"] = account.UserId,
            ["user_id"] = account.UserId,
        };
        if (!withOrganizations)
        {
            return claims;
        }

        claims["chatgpt_subscription_active_start"] = issuedAt.AddDays(-30).UtcDateTime.ToString("O");
        claims["chatgpt_subscription_active_until"] = issuedAt.AddDays(30).UtcDateTime.ToString("O");
        claims["chatgpt_subscription_last_checked"] = issuedAt.UtcDateTime.ToString("O");
        claims["groups"] = new JsonArray();
        claims["organization_id"] = account.OrganizationId;
        claims["organizations"] = new JsonArray(new JsonObject
        {
            ["id"] = account.OrganizationId,
            ["is_default"] = true,
            ["role"] = "owner",
            ["title"] = "Personal",
        });
        claims["project_id"] = "proj_" + account.ChatGptAccountId.Replace("-", "")[..24];
        claims["completed_platform_onboarding"] = false;
        claims["is_org_owner"] = true;
        return claims;
    }

    private static string Encode(JsonObject payload)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = "sim-key-1", ["typ"] = "JWT" };
        return Segment(header) + "." + Segment(payload) + "." + Ids.Base64Url(256);
    }

    private static string Segment(JsonNode node) => Ids.Base64UrlEncode(Encoding.UTF8.GetBytes(node.ToJsonString()));
}
