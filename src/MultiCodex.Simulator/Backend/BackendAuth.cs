using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.OAuth;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.Backend;

/// <summary>Bearer authentication for <c>/backend-api</c>: the token must be a live access token of a known account,
/// and a <c>ChatGPT-Account-ID</c> header, when present, must name that account.</summary>
internal static class BackendAuth
{
    /// <summary>Returns the account, or null after writing the 401/403 answer into <paramref name="failure"/>.</summary>
    public static SimAccount? Authenticate(HttpContext context, SimulatorState state, out IResult? failure)
    {
        failure = null;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            failure = JsonResults.Of(BackendErrors.MissingBearer(), StatusCodes.Status401Unauthorized);
            return null;
        }

        var check = state.Tokens.CheckAccessToken(header["Bearer ".Length..].Trim());
        context.Recorded().Account = check.Account;
        switch (check.Failure)
        {
            case AccessFailure.Unknown or AccessFailure.Invalidated:
                failure = JsonResults.Of(BackendErrors.TokenInvalidated(), StatusCodes.Status401Unauthorized);
                return null;
            case AccessFailure.Expired:
                failure = JsonResults.Of(BackendErrors.TokenExpired(), StatusCodes.Status401Unauthorized);
                return null;
        }

        var account = check.Account!;
        var accountHeader = context.Request.Headers["ChatGPT-Account-ID"].ToString();
        if (accountHeader.Length > 0 && !string.Equals(accountHeader, account.ChatGptAccountId, StringComparison.Ordinal))
        {
            failure = JsonResults.Of(BackendErrors.AccountMismatch(), StatusCodes.Status403Forbidden);
            return null;
        }

        return account;
    }
}
