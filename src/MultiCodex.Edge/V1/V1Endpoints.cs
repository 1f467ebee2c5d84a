using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Edge.V1.Responses;
using MultiCodex.Edge.V1.WebSocket;

namespace MultiCodex.Edge.V1;

/// <summary>The OpenAI-compatible API: its services, and its routes, every one behind the client-key check.</summary>
public static class V1Endpoints
{
    /// <summary>Registers the /v1 pipeline: the upstream client, the dispatcher, the dialects, the record step.</summary>
    public static IServiceCollection AddV1(this IServiceCollection services, EdgeOptions options)
    {
        services.AddGrpcClient<Control.V1.KeyUsageService.KeyUsageServiceClient>(o => o.Address = options.ControlUrl);
        services.AddSingleton<KeyUsageEndpoint>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<KeyAdmission>();
        services.AddSingleton<RequestRecorder>();
        services.AddSingleton<V1Pipeline>();
        services.AddSingleton<ResponseStore>();
        services.AddSingleton<IPreviousResponses, StoredPreviousResponses>();
        services.AddSingleton<ResponsesDialect>();
        services.AddSingleton<ChatDialect>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddResponsesWebSockets();
        return services;
    }

    public static void MapV1(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/responses", async (HttpContext http, ClientKeyGate keys, V1Pipeline pipeline, ResponsesDialect dialect) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                await pipeline.RunAsync(dialect, client);
            }
        });
        v1.MapResponsesWebSocket();
        v1.MapPost("/chat/completions", async (HttpContext http, ClientKeyGate keys, V1Pipeline pipeline, ChatDialect dialect) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                await pipeline.RunAsync(dialect, client);
            }
        });
        v1.MapPost("/responses/compact", async (HttpContext http, ClientKeyGate keys) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                await client.AnswerErrorAsync(RetiredCompact);
            }
        });
        v1.MapGet("/models", async (HttpContext http, ClientKeyGate keys, KeyAdmission admission, ModelsEndpoint models) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                if (admission.Expired(client.ClientName) is { } expired)
                {
                    await client.AnswerErrorAsync(expired);
                    return;
                }
                await models.HandleAsync(client);
            }
        });
        v1.MapGet("/codex/models", async (HttpContext http, ClientKeyGate keys, KeyAdmission admission, ModelsEndpoint models) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                if (admission.Expired(client.ClientName) is { } expired)
                {
                    await client.AnswerErrorAsync(expired);
                    return;
                }
                await models.HandleCodexAsync(http, client);
            }
        });
        v1.MapGet("/usage", async (HttpContext http, ClientKeyGate keys, KeyUsageEndpoint usage) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                await usage.HandleAsync(http, client);
            }
        });
        v1.Map("/{**rest}", async (HttpContext http, ClientKeyGate keys) =>
        {
            if (await AdmitAsync(http, keys) is { } client)
            {
                await client.AnswerErrorAsync(new ClientError(404,
                    $"Unknown endpoint {http.Request.Method} {http.Request.Path}. MultiCodex serves POST /v1/responses, POST /v1/chat/completions, GET /v1/models, GET /v1/codex/models and GET /v1/usage.",
                    "invalid_request_error", "unknown_url"));
            }
        });
    }

    // Compaction V1 (a separate /responses/compact call) was retired upstream on 2026-08-12; MultiCodex never calls it
    // and says what replaced it (docs/upstream-protocol.md §6).
    private static readonly ClientError RetiredCompact = new(404,
        "POST /v1/responses/compact is retired: the upstream removed its compaction endpoint on 2026-08-12. Compact with compaction V2 instead: "
        + "POST /v1/responses whose last input item is {\"type\":\"compaction_trigger\"}; the answer carries exactly one compaction output item. "
        + "The Codex CLI does this when its provider sets [model_providers.<id>.capabilities] remote_compaction = \"v2\".",
        "invalid_request_error", "unknown_url");

    // The client-key check: the transport of an admitted request, or null once a missing or wrong key was answered
    // (401 in OpenAI's shape; 503 when keys cannot be checked because Control was never reached).
    internal static async Task<HttpSseTransport?> AdmitAsync(HttpContext http, ClientKeyGate keys)
    {
        var client = new HttpSseTransport(http);
        KeyCheck check;
        try
        {
            check = await keys.CheckAsync(http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, http.RequestAborted);
        }
        catch (Exception e) when (V1Pipeline.ClientWentAway(e, client))
        {
            return null; // the client went away while its key was being checked
        }
        if (!check.Allowed)
        {
            await client.AnswerErrorAsync(check.ControlUnavailable
                ? ClientError.Server(503, check.Error!, "control_unavailable")
                : new ClientError(401, check.Error!, "invalid_request_error", "invalid_api_key"));
            return null;
        }
        HttpSseTransport.SetClientKey(http, check.ClientName, check.KeyId);
        return client;
    }
}
