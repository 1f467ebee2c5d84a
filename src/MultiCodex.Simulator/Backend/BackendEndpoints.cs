using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.WebSocket;

namespace MultiCodex.Simulator.Backend;

/// <summary>Routes under <c>/backend-api</c>. Anything not listed answers 404 JSON, which codex ignores
/// (plugins, MCP, analytics, settings).</summary>
internal static class BackendEndpoints
{
    public static void MapBackend(this IEndpointRouteBuilder app)
    {
        var backend = app.MapGroup("/backend-api");
        backend.MapPost("/codex/responses", ResponsesEndpoint.HandleAsync);

        // The WebSocket transport at the same URL; turned off, 426 makes the CLI fall back to HTTP SSE at once.
        backend.MapGet("/codex/responses", ResponsesWebSocketEndpoint.HandleAsync);

        // Compaction V1 was retired upstream on 2026-08-12: compaction is a /codex/responses call now.
        backend.MapPost("/codex/responses/compact", () => JsonResults.Of(BackendErrors.Detail("Not Found"), StatusCodes.Status404NotFound));

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

        return JsonResults.Of(ModelCatalog.Build(context.Request.Query["client_version"].ToString()), StatusCodes.Status200OK);
    }
}
