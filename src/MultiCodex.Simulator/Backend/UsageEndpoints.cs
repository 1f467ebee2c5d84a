using System.Text.Json.Nodes;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.Backend;

/// <summary><c>GET /wham/usage</c> (docs/upstream-protocol.md §8) in each shape the upstream uses: two windows, weekly
/// only, credit-only (<c>rate_limit: null</c> + <c>spend_control</c>), a reserve meter in <c>additional_rate_limits</c>,
/// and <c>rate_limit_reached_type</c>; and <c>GET /wham/accounts/check</c> (the workspace-routing pre-flight the Codex
/// CLI needs, §1).</summary>
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
            ["rate_limit"] = usage.IsCreditOnly ? null : new JsonObject
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
            ["additional_rate_limits"] = usage.Reserve is { } reserve ? new JsonArray(Reserve(reserve)) : null,
            ["credits"] = new JsonObject
            {
                ["has_credits"] = account.HasCredits || usage.IsCreditOnly,
                ["unlimited"] = false,
                ["balance"] = usage.Budget is { } credits ? CreditBudgetSnapshot.Amount(credits.Remaining) : account.CreditsBalance,
                ["approx_local_messages"] = null,
                ["approx_cloud_messages"] = null,
            },
            ["promo"] = null,
            ["rate_limit_reached_type"] = usage.ReachedKind is { } kind ? new JsonObject { ["type"] = RateLimitKinds.WireName(kind) } : null,
        };
        if (usage.Budget is { } budget)
        {
            body["spend_control"] = SpendControl(budget);
        }

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

    /// <summary>The monthly credit budget of a Business / Enterprise seat; amounts are decimal strings.</summary>
    private static JsonObject SpendControl(CreditBudgetSnapshot budget) => new()
    {
        ["reached"] = budget.IsExhausted,
        ["individual_limit"] = new JsonObject
        {
            ["source"] = "group_based_spend_controls",
            ["limit"] = CreditBudgetSnapshot.Amount(budget.Limit),
            ["used"] = CreditBudgetSnapshot.Amount(budget.Used),
            ["remaining"] = CreditBudgetSnapshot.Amount(budget.Remaining),
            ["used_percent"] = budget.UsedPercent,
            ["remaining_percent"] = 100 - budget.UsedPercent,
            ["reset_after_seconds"] = budget.ResetAfterSeconds,
            ["reset_at"] = budget.ResetAt.ToUnixTimeSeconds(),
        },
    };

    /// <summary>The reserve meter: its own <c>allowed</c> flag and the model it is served as.</summary>
    private static JsonObject Reserve(ReserveSnapshot reserve) => new()
    {
        ["limit_name"] = ModelCatalog.ReserveModel,
        ["metered_feature"] = "base_model_inference",
        ["normal_model_slug"] = reserve.NormalModelSlug,
        ["rate_limit"] = new JsonObject
        {
            ["allowed"] = reserve.Allowed,
            ["limit_reached"] = !reserve.Allowed,
            ["primary_window"] = Window(reserve.Window),
            ["secondary_window"] = null,
        },
    };

    /// <summary><c>used_percent</c> is an integer in the real API (i32 in codex's model), unlike the float headers.</summary>
    private static JsonObject Window(UsageWindowSnapshot window) => new()
    {
        ["used_percent"] = (int)Math.Round(window.UsedPercent, MidpointRounding.AwayFromZero),
        ["limit_window_seconds"] = window.LimitWindowSeconds,
        ["reset_after_seconds"] = window.ResetAfterSeconds,
        ["reset_at"] = window.ResetAt.ToUnixTimeSeconds(),
    };
}
