using System.Buffers.Text;
using System.Text.Json;

namespace MultiCodex.Control.Accounts;

/// <summary>Who a sign-in belongs to, read from its JWTs (docs/chatgpt-sign-in.md §5).</summary>
public sealed record SignInIdentity(
    string Email,
    string ChatGptAccountId,
    string? ChatGptUserId,
    string? PlanType,
    DateTimeOffset? AccessTokenExpiresAt);

/// <summary>
/// Reads the claims of the issuer's id and access tokens. Signatures are not verified: the tokens come
/// straight from the issuer over TLS (or from the operator), and only the upstream ever checks them.
/// </summary>
public static class TokenClaims
{
    private const string AuthClaim = "https://api.openai.com/auth";
    private const string ProfileClaim = "https://api.openai.com/profile";

    /// <summary>Reads the identity, or returns null with a message fit for the operator.</summary>
    public static SignInIdentity? TryRead(string accessToken, string? idToken, out string error)
    {
        using var access = TryDecode(accessToken);
        using var id = idToken is null ? null : TryDecode(idToken);
        if (access is null && id is null)
        {
            error = "The tokens are not JWTs; expected the access and id tokens the ChatGPT sign-in returns.";
            return null;
        }

        var accountId = AuthString(id, "chatgpt_account_id") ?? AuthString(access, "chatgpt_account_id");
        if (accountId is null)
        {
            error = "The tokens carry no ChatGPT account id (claim https://api.openai.com/auth.chatgpt_account_id).";
            return null;
        }
        var email = TopString(id, "email") ?? ProfileEmail(id) ?? TopString(access, "email") ?? ProfileEmail(access);
        error = "";
        return new SignInIdentity(
            Email: email ?? "",
            ChatGptAccountId: accountId,
            ChatGptUserId: AuthString(id, "chatgpt_user_id") ?? AuthString(id, "user_id")
                ?? AuthString(access, "chatgpt_user_id") ?? AuthString(access, "user_id"),
            PlanType: AuthString(access, "chatgpt_plan_type") ?? AuthString(id, "chatgpt_plan_type"),
            AccessTokenExpiresAt: ExpiresAt(access));
    }

    /// <summary>The <c>exp</c> of a JWT, or null when it has none or is not a JWT.</summary>
    public static DateTimeOffset? ExpiresAt(string token)
    {
        using var document = TryDecode(token);
        return ExpiresAt(document);
    }

    private static DateTimeOffset? ExpiresAt(JsonDocument? token) =>
        token is not null && token.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static JsonDocument? TryDecode(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }
            document.Dispose();
            return null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string? TopString(JsonDocument? token, string name) =>
        token is not null && token.RootElement.TryGetProperty(name, out var value) ? AsString(value) : null;

    private static string? AuthString(JsonDocument? token, string name) =>
        token is not null && token.RootElement.TryGetProperty(AuthClaim, out var auth) && auth.ValueKind == JsonValueKind.Object
            && auth.TryGetProperty(name, out var value)
            ? AsString(value)
            : null;

    private static string? ProfileEmail(JsonDocument? token) =>
        token is not null && token.RootElement.TryGetProperty(ProfileClaim, out var profile) && profile.ValueKind == JsonValueKind.Object
            && profile.TryGetProperty("email", out var value)
            ? AsString(value)
            : null;

    private static string? AsString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
