using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.OAuth;

/// <summary><c>GET /oauth/authorize</c> (sign-in page, or an immediate redirect for <c>login_hint</c> /
/// <see cref="FakeChatGpt.AutoApproveEmail"/>) and <c>POST /oauth/authorize</c> (the page's Sign in / Deny).</summary>
internal static class AuthorizeEndpoints
{
    public static IResult Get(HttpContext context, SimulatorState state)
    {
        var query = context.Request.Query;
        var request = AuthorizeRequest.From(name => query.TryGetValue(name, out var v) ? v.ToString() : null);
        if (Check(request, state) is { } invalid)
        {
            return invalid;
        }

        var account = state.Accounts.FindByEmail(request.LoginHint) ?? state.Accounts.FindByEmail(state.AutoApproveEmail);
        return account is null
            ? SignInPages.Authorize(request, state.Accounts.All())
            : Approve(request, account, state);
    }

    public static IResult Post(HttpContext context, SimulatorState state)
    {
        var form = context.Recorded().Form ?? new Dictionary<string, string>();
        string? Get(string name) => form.TryGetValue(name, out var v) ? v : null;
        var request = AuthorizeRequest.From(Get);
        if (Check(request, state) is { } invalid)
        {
            return invalid;
        }

        if (Get("action") == "deny")
        {
            return Results.Redirect(request.Redirect(
                ("error", "access_denied"), ("error_description", "The user denied the authorization request."), ("state", request.State)));
        }

        var account = state.SignInAccount(Get("email"));
        return account is null
            ? SignInPages.Authorize(request, state.Accounts.All(), "No account with that email exists in the simulator.", StatusCodes.Status400BadRequest)
            : Approve(request, account, state);
    }

    private static IResult? Check(AuthorizeRequest request, SimulatorState state)
    {
        if (request.FatalError(state.Options) is { } fatal)
        {
            return Results.Text(fatal, "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        return request.RedirectableError() is { } error
            ? Results.Redirect(request.Redirect(("error", "invalid_request"), ("error_description", error), ("state", request.State)))
            : null;
    }

    private static IResult Approve(AuthorizeRequest request, SimAccount account, SimulatorState state)
    {
        if (!account.HasCodexEntitlement)
        {
            return Results.Redirect(request.Redirect(
                ("error", "access_denied"), ("error_description", "missing_codex_entitlement"), ("state", request.State)));
        }

        var code = state.Codes.Issue(account, request.ClientId!, request.RedirectUri!, request.CodeChallenge!);
        return Results.Redirect(request.Redirect(("code", code), ("scope", request.Scope), ("state", request.State)));
    }
}
