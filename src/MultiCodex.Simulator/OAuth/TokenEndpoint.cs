using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.OAuth;

/// <summary><c>POST /oauth/token</c>: the authorization-code grant (form, PKCE S256), the refresh grant (JSON or form;
/// <c>scope</c> and <c>refresh_reason</c> accepted and ignored) with rotation, and the API-key token exchange.</summary>
internal static class TokenEndpoint
{
    private const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";

    public static IResult Handle(HttpContext context, SimulatorState state)
    {
        var recorded = context.Recorded();
        var grantType = recorded.Field("grant_type");
        var clientId = recorded.Field("client_id");
        if (clientId is not null && clientId != state.Options.ClientId)
        {
            return Json(OAuthErrors.InvalidClient(), StatusCodes.Status401Unauthorized);
        }

        return grantType switch
        {
            "authorization_code" => AuthorizationCode(recorded, state),
            "refresh_token" => RefreshToken(recorded, state),
            TokenExchange => ApiKey(recorded, state),
            _ => Json(OAuthErrors.UnsupportedGrantType(grantType), StatusCodes.Status400BadRequest),
        };
    }

    private static IResult AuthorizationCode(RecordedRequest recorded, SimulatorState state)
    {
        var code = recorded.Field("code");
        if (string.IsNullOrEmpty(code))
        {
            return Json(OAuthErrors.InvalidRequest("Missing required parameter: code."), StatusCodes.Status400BadRequest);
        }

        var (account, error) = state.Codes.Redeem(code, recorded.Field("client_id"), recorded.Field("redirect_uri"), recorded.Field("code_verifier"));
        recorded.Account = account;
        if (account is null)
        {
            return Json(OAuthErrors.InvalidGrant(error!), StatusCodes.Status400BadRequest);
        }

        account.CountCodeGrant();
        return Tokens(state.Tokens.IssueNewGrant(account, state.Options.AccessTokenLifetime), state);
    }

    private static IResult RefreshToken(RecordedRequest recorded, SimulatorState state)
    {
        var refreshToken = recorded.Field("refresh_token");
        if (string.IsNullOrEmpty(refreshToken))
        {
            return Json(OAuthErrors.InvalidRequest("Missing required parameter: refresh_token."), StatusCodes.Status400BadRequest);
        }

        var outcome = state.Tokens.Refresh(refreshToken);
        recorded.Account = outcome.Account;
        return outcome.Error switch
        {
            null => Tokens(outcome.Tokens!, state),
            RefreshError.Reused => Json(OAuthErrors.RefreshTokenReused(), StatusCodes.Status401Unauthorized),
            RefreshError.Expired => Json(OAuthErrors.RefreshTokenExpired(), StatusCodes.Status401Unauthorized),
            RefreshError.Invalidated => Json(OAuthErrors.RefreshTokenInvalidated(), StatusCodes.Status401Unauthorized),
            RefreshError.InvalidGrant => Json(OAuthErrors.InvalidGrant("The refresh token is invalid."), StatusCodes.Status400BadRequest),
            RefreshError.InvalidRefreshToken => Json(OAuthErrors.InvalidRefreshToken(), StatusCodes.Status401Unauthorized),
            RefreshError.SignedOutElsewhere => Json(OAuthErrors.SignedOutElsewhere(), StatusCodes.Status401Unauthorized),
            _ => Json(OAuthErrors.ServerError(), StatusCodes.Status500InternalServerError),
        };
    }

    /// <summary>codex's best-effort API-key exchange after login; failures are ignored by codex.</summary>
    private static IResult ApiKey(RecordedRequest recorded, SimulatorState state)
    {
        if (!state.Options.IssueApiKeys || recorded.Field("requested_token") != "openai-api-key" || string.IsNullOrEmpty(recorded.Field("subject_token")))
        {
            return Json(OAuthErrors.InvalidRequest("API key exchange is not available for this account."), StatusCodes.Status400BadRequest);
        }

        return Json(new JsonObject { ["access_token"] = "sk-proj-sim-" + Ids.Random(40) }, StatusCodes.Status200OK);
    }

    private static IResult Tokens(TokenSet tokens, SimulatorState state) => Json(
        new JsonObject
        {
            ["id_token"] = tokens.IdToken,
            ["access_token"] = tokens.AccessToken,
            ["refresh_token"] = tokens.RefreshToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)Math.Max(0, (tokens.AccessTokenExpiresAt - state.Now).TotalSeconds),
            ["scope"] = "openid profile email offline_access",
        },
        StatusCodes.Status200OK);

    private static IResult Json(JsonObject body, int status) => JsonResults.Of(body, status);
}
