using MultiCodex.Edge.Models;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Responses;

namespace MultiCodex.Edge.Proxying;

/// <summary>The OpenAI-compatible API: every route behind the client-key check, errors in OpenAI's shape.</summary>
public static class V1Endpoints
{
    public static void MapV1(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").AddEndpointFilter(V1Request.RequireClientKey);
        v1.MapPost("/responses", ResponsesEndpoint.HandleAsync);
        v1.MapPost("/chat/completions", Chat.ChatCompletionsEndpoint.HandleAsync);
        v1.MapGet("/models", (ModelsEndpoint models, CancellationToken cancellationToken) => models.HandleAsync(cancellationToken));
        v1.Map("/{**rest}", (HttpContext http) => OpenAiError.Result(StatusCodes.Status404NotFound,
            $"Unknown endpoint {http.Request.Method} {http.Request.Path}. MultiCodex serves POST /v1/responses, POST /v1/chat/completions and GET /v1/models.",
            "invalid_request_error", "unknown_url"));
    }
}
