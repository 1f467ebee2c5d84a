using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Routes of the fake OAuth issuer (the real one is <c>https://auth.openai.com</c>).</summary>
internal static class OAuthEndpoints
{
    public static void MapOAuth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/authorize", AuthorizeEndpoints.Get);
        app.MapPost("/oauth/authorize", AuthorizeEndpoints.Post);
        app.MapPost("/oauth/token", TokenEndpoint.Handle);
        app.MapPost("/oauth/revoke", Revoke);
        app.MapPost("/api/accounts/deviceauth/usercode", DeviceAuthEndpoints.UserCode);
        app.MapPost("/api/accounts/deviceauth/token", DeviceAuthEndpoints.Token);
        app.MapGet("/codex/device", DeviceAuthEndpoints.Page);
        app.MapPost("/codex/device", DeviceAuthEndpoints.Submit);
    }

    /// <summary>RFC 7009: always 200; a known token ends its whole grant.</summary>
    private static IResult Revoke(HttpContext context, SimulatorState state)
    {
        var recorded = context.Recorded();
        var token = recorded.Field("token");
        if (!string.IsNullOrEmpty(token))
        {
            recorded.Account = state.Tokens.Revoke(token);
        }

        return JsonResults.Of(new System.Text.Json.Nodes.JsonObject(), StatusCodes.Status200OK);
    }
}
