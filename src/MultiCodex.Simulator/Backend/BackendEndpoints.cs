using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Backend;

/// <summary>Routes under <c>/backend-api</c>. Anything not listed answers 404 JSON, which codex ignores
/// (plugins, MCP, analytics, settings).</summary>
internal static class BackendEndpoints
{
    public static void MapBackend(this IEndpointRouteBuilder app)
    {
        var backend = app.MapGroup("/backend-api");
        backend.MapPost("/codex/responses", ResponsesEndpoint.HandleAsync);

        // The CLI tries the WebSocket transport first; 426 makes it fall back to HTTP SSE at once.
        backend.MapGet("/codex/responses", () =>
            JsonResults.Of(BackendErrors.Detail("WebSocket transport is not available; use HTTP streaming."), StatusCodes.Status426UpgradeRequired));

        backend.MapGet("/codex/models", Models);
        backend.MapGet("/wham/usage", UsageEndpoints.Usage);
        backend.MapGet("/wham/accounts/check", UsageEndpoints.AccountsCheck);
        backend.MapFallback(() => JsonResults.Of(BackendErrors.Detail("Not Found"), StatusCodes.Status404NotFound));
    }

    private static IResult Models(HttpContext context, SimulatorState state)
    {
        if (BackendAuth.Authenticate(context, state, out var failure) is null)
        {
            return failure!;
        }

        var etag = state.Options.ModelsEtag;
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return JsonResults.Of(ModelCatalog.Build(), StatusCodes.Status200OK);
    }
}
