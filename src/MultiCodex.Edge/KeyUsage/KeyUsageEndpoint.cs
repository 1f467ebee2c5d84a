using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.Proxying;

namespace MultiCodex.Edge.KeyUsage;

/// <summary>
/// <c>GET /v1/usage</c>: a key holder reads their own key's requests, errors, tokens and last use over the last
/// 24 hours, 7 days and 28 days, with the key itself as the credential. Not on the model path, so it asks Control at
/// once (the history lives there); the key is sent as its hash, never as the secret.
/// </summary>
public static class KeyUsageEndpoint
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] PeriodNames = ["24h", "7d", "28d"];

    public static IServiceCollection AddKeyUsage(this IServiceCollection services, EdgeOptions options)
    {
        services.AddGrpcClient<KeyUsageService.KeyUsageServiceClient>(o => o.Address = options.ControlUrl);
        return services;
    }

    public static void MapKeyUsage(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/usage", HandleAsync).AddEndpointFilter(V1Request.RequireClientKey);

    private static async Task<IResult> HandleAsync(HttpContext http, KeyUsageService.KeyUsageServiceClient control, EdgeOptions options, TimeProvider time)
    {
        if (V1Request.ClientName(http) is null)
        {
            // The key check let the request through because no key exists: there is no key to report on.
            return OpenAiError.Result(StatusCodes.Status401Unauthorized,
                "No API keys exist on this proxy, so there is no key usage to report. Keys are created in the MultiCodex dashboard.",
                "invalid_request_error", "invalid_api_key");
        }
        var secret = http.Request.Headers.Authorization.ToString()[7..].Trim();
        var request = new GetKeyUsageRequest { KeySha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))) };
        var headers = options.AdminToken is { } token ? new Metadata { { "x-admin-token", token } } : [];
        using var timeout = new TimedToken(CallTimeout, time, http.RequestAborted);
        try
        {
            var usage = await control.GetKeyUsageAsync(request, new CallOptions(headers, cancellationToken: timeout.Token));
            return Results.Content(ToJson(usage).ToJsonString(), "application/json");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return OpenAiError.Result(StatusCodes.Status401Unauthorized, "Incorrect API key provided: it was revoked.", "invalid_request_error", "invalid_api_key");
        }
        catch (RpcException) when (!http.RequestAborted.IsCancellationRequested)
        {
            return OpenAiError.Result(StatusCodes.Status503ServiceUnavailable,
                "Usage figures come from the proxy's control service, which cannot be reached right now; try again shortly.", "server_error",
                "control_unavailable");
        }
    }

    /// <summary>The answer, in the snake_case of OpenAI's API; times in Unix seconds.</summary>
    private static JsonObject ToJson(GetKeyUsageResponse usage)
    {
        var periods = new JsonObject();
        foreach (var (period, name) in usage.Periods.Zip(PeriodNames))
        {
            var f = period.Figures;
            periods[name] = new JsonObject
            {
                ["requests"] = f.Requests,
                ["errors"] = f.Errors,
                ["input_tokens"] = f.InputTokens,
                ["cached_input_tokens"] = f.CachedInputTokens,
                ["output_tokens"] = f.OutputTokens,
                ["reasoning_tokens"] = f.ReasoningTokens,
                ["cache_hit_rate"] = Math.Round(f.CacheHitRate, 4),
                ["last_request_at"] = f.LastRequestTime?.Seconds,
            };
        }
        return new JsonObject
        {
            ["object"] = "key_usage",
            ["key"] = new JsonObject { ["id"] = usage.KeyId, ["name"] = usage.KeyName },
            ["usage"] = periods,
            ["last_used_at"] = usage.LastUsedTime?.Seconds,
            // Reserved: the key's limits and what is left of them, once keys have limits.
            ["limits"] = null,
        };
    }
}
