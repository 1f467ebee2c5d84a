using System.Globalization;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Device-code login (codex `codex-rs/login/src/device_code_auth.rs`): <c>/api/accounts/deviceauth/usercode</c> and <c>/token</c>,
/// plus the page at <c>/codex/device</c> where a person enters the code.</summary>
internal static class DeviceAuthEndpoints
{
    public static IResult UserCode(HttpContext context, SimulatorState state)
    {
        var clientId = context.Recorded().Field("client_id");
        if (clientId is not null && clientId != state.Options.ClientId)
        {
            return JsonResults.Of(OAuthErrors.InvalidClient(), StatusCodes.Status401Unauthorized);
        }

        var flow = state.Devices.Create();
        return JsonResults.Of(
            new JsonObject
            {
                ["device_auth_id"] = flow.DeviceAuthId,
                ["user_code"] = flow.UserCode,
                ["interval"] = state.Options.DeviceCodePollIntervalSeconds.ToString(CultureInfo.InvariantCulture),
                ["expires_in"] = (long)state.Options.DeviceCodeLifetime.TotalSeconds,
                ["expires_at"] = flow.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
            StatusCodes.Status200OK);
    }

    public static IResult Token(HttpContext context, SimulatorState state)
    {
        var recorded = context.Recorded();
        var flow = state.Devices.Find(recorded.Field("device_auth_id") ?? "");
        var userCode = recorded.Field("user_code");
        if (flow is null || (userCode is not null && !string.Equals(userCode, flow.UserCode, StringComparison.OrdinalIgnoreCase)))
        {
            return JsonResults.Of(OAuthErrors.InvalidRequest("Unknown device authorization."), StatusCodes.Status400BadRequest);
        }

        if (flow.Approval is { } approval)
        {
            recorded.Account = approval.Account;
            return JsonResults.Of(
                new JsonObject
                {
                    ["authorization_code"] = approval.AuthorizationCode,
                    ["code_challenge"] = approval.CodeChallenge,
                    ["code_verifier"] = approval.CodeVerifier,
                },
                StatusCodes.Status200OK);
        }

        return flow.ExpiresAt <= state.Now
            ? JsonResults.Of(OAuthErrors.DeviceCodeExpired(), StatusCodes.Status400BadRequest)
            : JsonResults.Of(OAuthErrors.AuthorizationPending(), StatusCodes.Status403Forbidden);
    }

    public static IResult Page(HttpContext context, SimulatorState state) =>
        SignInPages.Device(state.Accounts.All(), context.Request.Query["user_code"].ToString());

    public static IResult Submit(HttpContext context, SimulatorState state)
    {
        var form = context.Recorded().Form ?? new Dictionary<string, string>();
        var userCode = form.GetValueOrDefault("user_code") ?? "";
        var account = state.SignInAccount(form.GetValueOrDefault("email"));
        if (account is null)
        {
            return SignInPages.Device(state.Accounts.All(), userCode, error: "No account with that email exists in the simulator.", status: StatusCodes.Status400BadRequest);
        }

        return state.Devices.Approve(userCode, account)
            ? SignInPages.Device(state.Accounts.All(), null, message: $"Device approved for {account.Email}. You can close this page.")
            : SignInPages.Device(state.Accounts.All(), userCode, error: "Unknown or expired code.", status: StatusCodes.Status400BadRequest);
    }
}
