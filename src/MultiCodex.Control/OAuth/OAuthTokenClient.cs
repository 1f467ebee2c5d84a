using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Upstream;

namespace MultiCodex.Control.OAuth;

/// <summary>Tokens the issuer granted; any of them may be missing from a refresh answer.</summary>
public sealed record GrantedTokens(string? AccessToken, string? RefreshToken, string? IdToken);

/// <summary>The outcome of a call to the token endpoint.</summary>
public sealed record TokenGrantResult(GrantedTokens? Tokens, int Status, string? ErrorCode, string? ErrorMessage)
{
    /// <summary>The reason recorded when the issuer says the user signed out or into another account (no code is sent).</summary>
    public const string SignedOutElsewhere = "signed_out_elsewhere";

    private static readonly HashSet<string> PermanentCodes =
    [
        "refresh_token_expired", "refresh_token_reused", "refresh_token_invalidated", "invalid_refresh_token", "invalid_grant",
        "token_expired", "token_invalidated",
    ];

    public bool Succeeded => Tokens is not null;

    /// <summary>
    /// A failure that retrying cannot fix (docs/upstream-protocol.md §9): any 401, a refresh-token
    /// code (including the newer <c>invalid_refresh_token</c>), <c>invalid_grant</c>, or the message that the user
    /// "logged out or signed in to another account". Everything else (5xx, timeouts, odd 4xx) is transient.
    /// </summary>
    public bool IsPermanent => !Succeeded
        && (Status == 401 || (ErrorCode is not null && PermanentCodes.Contains(ErrorCode)) || SaysSignedOutElsewhere);

    /// <summary>A short reason for the operator; never contains a token.</summary>
    public string Reason => ErrorCode ?? (SaysSignedOutElsewhere ? SignedOutElsewhere : Status == 0 ? "issuer unreachable" : $"HTTP {Status}");

    // The issuer sends this failure with a null code; only its wording tells it apart.
    private bool SaysSignedOutElsewhere =>
        ErrorMessage is { } message
        && message.Contains("logged out", StringComparison.OrdinalIgnoreCase)
        && message.Contains("another account", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What the issuer answered to a device-code request.</summary>
public sealed record DeviceCode(string DeviceAuthId, string UserCode, TimeSpan Interval, TimeSpan? ExpiresIn);

/// <summary>The device poll's answer: still pending, approved (with a code to exchange), or failed.</summary>
public sealed record DevicePollResult(bool Pending, string? AuthorizationCode, string? CodeVerifier, string? Error);

/// <summary>
/// Calls the OAuth issuer's token and device endpoints (docs/chatgpt-sign-in.md §2–§4). None of these calls
/// is retried here: codes and refresh tokens are single-use, so a blind retry could burn a grant.
/// </summary>
public sealed class OAuthTokenClient(HttpClient http, IOptions<UpstreamOptions> options)
{
    private readonly UpstreamOptions _options = options.Value;

    public Task<TokenGrantResult> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, CancellationToken cancellationToken) =>
        SendGrantAsync(new HttpRequestMessage(HttpMethod.Post, Issuer("oauth/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirectUri,
                ["client_id"] = _options.OAuthClientId,
                ["code_verifier"] = codeVerifier,
            }),
        }, cancellationToken);

    public Task<TokenGrantResult> RefreshAsync(string refreshToken, string reason, CancellationToken cancellationToken) =>
        SendGrantAsync(new HttpRequestMessage(HttpMethod.Post, Issuer("oauth/token"))
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["client_id"] = _options.OAuthClientId,
                ["grant_type"] = "refresh_token",
                ["refresh_reason"] = reason,
                ["refresh_token"] = refreshToken,
            }),
        }, cancellationToken);

    /// <summary>Asks for a device code; null with <paramref name="error"/> when the issuer refuses.</summary>
    public async Task<(DeviceCode? Code, string? Error)> RequestDeviceCodeAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Issuer("api/accounts/deviceauth/usercode"))
        {
            Content = JsonContent.Create(new JsonObject { ["client_id"] = _options.OAuthClientId }),
        }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, "Device-code sign-in is not enabled for this OAuth client.");
        }
        var body = await ReadJsonAsync(response, cancellationToken);
        var id = Text(Field(body, "device_auth_id"));
        var userCode = Text(Field(body, "user_code")) ?? Text(Field(body, "usercode"));
        if (!response.IsSuccessStatusCode || id is null || userCode is null)
        {
            return (null, $"The issuer refused a device code ({ErrorCodeOf(body) ?? $"HTTP {(int)response.StatusCode}"}).");
        }
        // The issuer sends the interval as a string ("5"); accept a number too.
        var interval = Seconds(Field(body, "interval")) ?? TimeSpan.FromSeconds(5);
        return (new DeviceCode(id, userCode, interval, Seconds(Field(body, "expires_in"))), null);
    }

    public async Task<DevicePollResult> PollDeviceAsync(string deviceAuthId, string userCode, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, Issuer("api/accounts/deviceauth/token"))
        {
            Content = JsonContent.Create(new JsonObject { ["device_auth_id"] = deviceAuthId, ["user_code"] = userCode }),
        }, cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken);
        var code = ErrorCodeOf(body);
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound || code is "authorization_pending" or "slow_down")
        {
            return new DevicePollResult(true, null, null, null);
        }
        var authorizationCode = Text(Field(body, "authorization_code"));
        var verifier = Text(Field(body, "code_verifier"));
        return response.IsSuccessStatusCode && authorizationCode is not null && verifier is not null
            ? new DevicePollResult(false, authorizationCode, verifier, null)
            : new DevicePollResult(false, null, null, $"The issuer ended the device sign-in ({code ?? $"HTTP {(int)response.StatusCode}"}).");
    }

    /// <summary>Where the user enters a device code.</summary>
    public string DeviceVerificationUrl => Issuer("codex/device").ToString();

    /// <summary>The redirect URI that device-code authorizations are exchanged with.</summary>
    public string DeviceRedirectUri => Issuer("deviceauth/callback").ToString();

    private async Task<TokenGrantResult> SendGrantAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new TokenGrantResult(null, 0, null, "The issuer could not be reached.");
        }
        using (response)
        {
            var body = await ReadJsonAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode && body is JsonObject tokens)
            {
                var granted = new GrantedTokens(Text(tokens["access_token"]), Text(tokens["refresh_token"]), Text(tokens["id_token"]));
                if (granted.AccessToken is not null || granted.RefreshToken is not null || granted.IdToken is not null)
                {
                    return new TokenGrantResult(granted, (int)response.StatusCode, null, null);
                }
            }
            return new TokenGrantResult(null, (int)response.StatusCode, ErrorCodeOf(body), ErrorMessageOf(body));
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("originator", _options.Originator);
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        return http.SendAsync(request, cancellationToken);
    }

    private Uri Issuer(string path) => new(new Uri(_options.OAuthIssuer.ToString().TrimEnd('/') + "/"), path);

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The error code: <c>error</c> when a string, else <c>error.code</c>, else <c>code</c>; lower-cased (codex's rule).</summary>
    internal static string? ErrorCodeOf(JsonNode? body) =>
        (Text(Field(body, "error")) ?? Text(Field(Field(body, "error"), "code")) ?? Text(Field(body, "code")))?.ToLowerInvariant();

    private static string? ErrorMessageOf(JsonNode? body) =>
        Text(Field(body, "error_description")) ?? Text(Field(Field(body, "error"), "message")) ?? Text(Field(body, "message"));

    private static JsonNode? Field(JsonNode? node, string name) => node is JsonObject obj ? obj[name] : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static TimeSpan? Seconds(JsonNode? node) =>
        node is not JsonValue value ? null
        : value.TryGetValue<double>(out var number) ? TimeSpan.FromSeconds(number)
        : value.TryGetValue<string>(out var text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? TimeSpan.FromSeconds(parsed)
        : null;
}
