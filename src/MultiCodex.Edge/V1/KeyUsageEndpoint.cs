using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;
using MultiCodex.Pool;

namespace MultiCodex.Edge.V1;

/// <summary>
/// <c>GET /v1/usage</c>: a key holder reads their own key's requests, errors, tokens and last use over the last
/// 24 hours, 7 days and 28 days, and the key's limits with where it stands against each, with the key itself as the
/// credential (an expired key too: it learns why it is refused). Not on the model path, so it asks Control at once
/// (the history lives there); the key is sent as its hash, never as the secret.
/// </summary>
public sealed class KeyUsageEndpoint(KeyUsageService.KeyUsageServiceClient control, KeyLedger ledger, EdgeOptions options, TimeProvider time)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] PeriodNames = ["24h", "7d", "28d"];

    public async Task HandleAsync(HttpContext http, IClientTransport client)
    {
        if (client.ClientName is null)
        {
            // The key check let the request through because no key exists: there is no key to report on.
            await client.AnswerErrorAsync(new ClientError(StatusCodes.Status401Unauthorized,
                "No API keys exist on this proxy, so there is no key usage to report. Keys are created in the MultiCodex dashboard.",
                "invalid_request_error", "invalid_api_key"));
            return;
        }
        var secret = http.Request.Headers.Authorization.ToString()[7..].Trim();
        var request = new GetKeyUsageRequest { KeySha256 = Sha256Hex.Of(secret) };
        var headers = options.AdminToken is { } token ? new Metadata { { "x-admin-token", token } } : [];
        using var timeout = new TimedToken(CallTimeout, time, client.Aborted);
        GetKeyUsageResponse usage;
        try
        {
            usage = await control.GetKeyUsageAsync(request, new CallOptions(headers, cancellationToken: timeout.Token));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            await client.AnswerErrorAsync(new ClientError(StatusCodes.Status401Unauthorized, "Incorrect API key provided: it was revoked.",
                "invalid_request_error", "invalid_api_key"));
            return;
        }
        catch (RpcException) when (!client.Aborted.IsCancellationRequested)
        {
            await client.AnswerErrorAsync(ClientError.Server(StatusCodes.Status503ServiceUnavailable,
                "Usage figures come from the proxy's control service, which cannot be reached right now; try again shortly.", "control_unavailable"));
            return;
        }
        var json = ToJson(usage);
        json["limits"] = KeyLimitsJson.Of(usage, ledger.Find(client.ClientName) is { } key && key.Id == usage.KeyId ? key : null, ledger, time.GetUtcNow());
        await client.AnswerJsonAsync(null, Encoding.UTF8.GetBytes(json.ToJsonString()));
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
            ["limits"] = null,
        };
    }
}
