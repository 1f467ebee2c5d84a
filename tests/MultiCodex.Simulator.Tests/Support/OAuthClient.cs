using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>The client half of the flows, as codex performs them.</summary>
internal static class OAuthClient
{
    public const string RedirectUri = "http://localhost:1455/auth/callback";

    public static string AuthorizeUrl(string challenge, string state = "st-123", string? loginHint = null, string redirectUri = RedirectUri, string method = "S256")
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = FakeChatGptOptions.CodexClientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = "openid profile email offline_access api.connectors.read api.connectors.invoke",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
            ["id_token_add_organizations"] = "true",
            ["codex_cli_simplified_flow"] = "true",
            ["state"] = state,
            ["originator"] = "codex_cli_rs",
        };
        if (loginHint is not null)
        {
            query["login_hint"] = loginHint;
        }

        return QueryHelpers.AddQueryString("oauth/authorize", query);
    }

    /// <summary>Runs the authorize step with a login hint and returns the code from the redirect.</summary>
    public static async Task<string> AuthorizeAsync(HttpClient client, string email, string verifier)
    {
        using var response = await client.GetAsync(AuthorizeUrl(Pkce.Challenge(verifier), loginHint: email));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return RedirectQuery(response)["code"];
    }

    public static Dictionary<string, string> RedirectQuery(HttpResponseMessage response)
    {
        var location = response.Headers.Location!.ToString();
        return QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static Task<HttpResponseMessage> ExchangeAsync(HttpClient client, string code, string verifier, string redirectUri = RedirectUri) =>
        client.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = FakeChatGptOptions.CodexClientId,
            ["code_verifier"] = verifier,
        }));

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken, string reason = "proactive_expiry") =>
        client.PostAsync("oauth/token", new StringContent(
            JsonSerializer.Serialize(new { client_id = FakeChatGptOptions.CodexClientId, grant_type = "refresh_token", refresh_reason = reason, refresh_token = refreshToken }),
            Encoding.UTF8,
            "application/json"));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>Decodes a JWT payload without verifying it, as codex does.</summary>
    public static JsonElement JwtPayload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        using var doc = JsonDocument.Parse(Convert.FromBase64String(part));
        return doc.RootElement.Clone();
    }
}
