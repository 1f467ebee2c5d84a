using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Backend;

/// <summary><c>GET /wham/usage</c> (codex-protocol.md §5) and <c>GET /wham/accounts/check</c> (the workspace-routing
/// pre-flight the Codex CLI needs, codex-cli-capture.md).</summary>
internal static class UsageEndpoints
{
    private const int CodeReviewWindowSeconds = 7 * 24 * 60 * 60;

    public static IResult Usage(HttpContext context, SimulatorState state)
    {
        var account = BackendAuth.Authenticate(context, state, out var failure);
        if (account is null)
        {
            return failure!;
        }

        account.CountUsageRequest();
        var usage = account.GetUsage();
        var now = state.Now;
        var body = new JsonObject
        {
            ["user_id"] = account.UserId,
            ["account_id"] = account.ChatGptAccountId,
            ["email"] = account.Email,
            ["plan_type"] = account.Plan,
            ["rate_limit"] = new JsonObject
            {
                ["allowed"] = !usage.LimitReached,
                ["limit_reached"] = usage.LimitReached,
                ["primary_window"] = Window(usage.Primary),
                ["secondary_window"] = usage.Secondary is { } secondary ? Window(secondary) : null,
            },
            ["code_review_rate_limit"] = new JsonObject
            {
                ["allowed"] = true,
                ["limit_reached"] = false,
                ["primary_window"] = Window(new UsageWindowSnapshot(0, CodeReviewWindowSeconds, now.AddSeconds(CodeReviewWindowSeconds), CodeReviewWindowSeconds)),
                ["secondary_window"] = null,
            },
            ["additional_rate_limits"] = null,
            ["credits"] = new JsonObject
            {
                ["has_credits"] = account.HasCredits,
                ["unlimited"] = false,
                ["balance"] = account.CreditsBalance,
                ["approx_local_messages"] = null,
                ["approx_cloud_messages"] = null,
            },
            ["promo"] = null,
        };
        return JsonResults.Of(body, StatusCodes.Status200OK);
    }

    public static IResult AccountsCheck(HttpContext context, SimulatorState state)
    {
        var account = BackendAuth.Authenticate(context, state, out var failure);
        if (account is null)
        {
            return failure!;
        }

        var id = account.ChatGptAccountId;
        var body = new JsonObject
        {
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["id"] = id,
                ["workspace_backend_origin"] = "NO_CONSTRAINT",
                ["account_routing_override"] = "NO_CONSTRAINT",
                ["structure"] = account.Plan is "team" or "business" or "enterprise" or "edu" ? "workspace" : "personal",
            }),
            ["account_ordering"] = new JsonArray(id),
            ["default_account_id"] = id,
        };
        return JsonResults.Of(body, StatusCodes.Status200OK);
    }

    /// <summary><c>used_percent</c> is an integer in the real API (i32 in codex's model), unlike the float headers.</summary>
    private static JsonObject Window(UsageWindowSnapshot window) => new()
    {
        ["used_percent"] = (int)Math.Round(window.UsedPercent, MidpointRounding.AwayFromZero),
        ["limit_window_seconds"] = window.LimitWindowSeconds,
        ["reset_after_seconds"] = window.ResetAfterSeconds,
        ["reset_at"] = window.ResetAt.ToUnixTimeSeconds(),
    };
}
