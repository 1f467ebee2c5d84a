using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Upstream;

namespace MultiCodex.Control.Usage;

/// <summary>The answer of the usage endpoint: the meters (and why the account is limited, if it is), or the status and error code of a refusal.</summary>
public sealed record UsageFetchResult(AccountUsageSnapshot? Usage, string? PlanType, HttpStatusCode Status, string? Error)
{
    /// <summary><c>rate_limit_reached_type.type</c>: why the account is limited now, e.g. <c>workspace_member_credits_depleted</c>.</summary>
    public string? ReachedType { get; init; }
}

/// <summary>Reads an account's meters from <c>{CHATGPT_BASE_URL}/wham/usage</c> (docs/account-pool.md, "Meters").</summary>
public sealed class UsageClient(HttpClient http, IOptions<UpstreamOptions> options, TimeProvider time)
{
    private readonly UpstreamOptions _options = options.Value;

    public async Task<UsageFetchResult> FetchAsync(string accessToken, string chatGptAccountId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, UsageUrl());
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + accessToken);
        request.Headers.TryAddWithoutValidation("ChatGPT-Account-Id", chatGptAccountId);
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        request.Headers.TryAddWithoutValidation("originator", _options.Originator);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new UsageFetchResult(null, null, 0, "usage endpoint unreachable");
        }
        using (response)
        {
            JsonNode? body;
            try
            {
                body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            }
            catch (JsonException)
            {
                body = null;
            }
            if (!response.IsSuccessStatusCode || body is not JsonObject payload)
            {
                var code = OAuth.OAuthTokenClient.ErrorCodeOf(body);
                return new UsageFetchResult(null, null, response.StatusCode, $"HTTP {(int)response.StatusCode}{(code is null ? "" : " " + code)}");
            }
            var plan = payload["plan_type"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            return new UsageFetchResult(UsageParser.Parse(payload, time.GetUtcNow()), plan, response.StatusCode, null)
            {
                ReachedType = UsageParser.ReachedType(payload),
            };
        }
    }

    // A ChatGPT backend lives under /backend-api; other Codex backends answer at /api/codex/usage.
    private Uri UsageUrl()
    {
        var baseUrl = _options.ChatGptBaseUrl.ToString().TrimEnd('/');
        return new Uri(baseUrl.Contains("/backend-api", StringComparison.Ordinal) ? baseUrl + "/wham/usage" : baseUrl + "/api/codex/usage");
    }
}
