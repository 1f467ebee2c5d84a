using System.Text.Json.Nodes;
using MultiCodex.Simulator.Backend;

namespace MultiCodex.Simulator.WebSocket;

/// <summary>The server frames of the Responses WebSocket that are not plain response events
/// (docs/upstream-protocol.md §5): error frames with a numeric status, <c>codex.rate_limits</c> and
/// <c>response.metadata</c>.</summary>
internal static class SocketFrames
{
    /// <summary>An error frame. The real quota frames name the status <c>status_code</c> and carry the rate-limit headers
    /// as a map; others (as codex's tests and proxied captures show them) use <c>status</c>. Codex reads either.</summary>
    public static JsonObject Error(int status, JsonObject body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var frame = new JsonObject { ["type"] = "error" };
        frame[headers is null ? "status" : "status_code"] = status;

        // {"error":{…}} bodies travel as their error object; FastAPI {"detail":…} bodies as they are.
        frame["error"] = (body["error"] is JsonObject error ? error : body).DeepClone();
        if (headers is not null)
        {
            var map = new JsonObject();
            foreach (var (name, value) in headers)
            {
                map[RateLimitHeaders.TitleCase(name)] = value;
            }

            frame["headers"] = map;
        }

        return frame;
    }

    public static JsonObject Error(int status, string code, string message, string? param = null) => Error(status, new JsonObject
    {
        ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = code, ["message"] = message, ["param"] = param },
    });

    /// <summary>The data of the <c>codex.rate_limits</c> event sent before <c>response.created</c> (codex turns it into its limits display).</summary>
    public static JsonObject RateLimits(SimAccount account, UsageSnapshot usage)
    {
        static JsonObject Window(UsageWindowSnapshot window) => new()
        {
            ["used_percent"] = window.UsedPercent,
            ["window_minutes"] = window.WindowMinutes,
            ["reset_at"] = window.ResetAt.ToUnixTimeSeconds(),
        };

        return new JsonObject
        {
            ["plan_type"] = account.Plan,
            ["rate_limits"] = new JsonObject
            {
                ["allowed"] = !usage.LimitReached,
                ["limit_reached"] = usage.LimitReached,
                ["primary"] = usage.IsCreditOnly ? null : Window(usage.Primary),
                ["secondary"] = usage.IsCreditOnly || usage.Secondary is null ? null : Window(usage.Secondary),
            },
            ["credits"] = new JsonObject
            {
                ["has_credits"] = account.HasCredits || usage.IsCreditOnly,
                ["unlimited"] = false,
                ["balance"] = usage.Budget is { } budget ? CreditBudgetSnapshot.Amount(budget.Remaining) : account.CreditsBalance,
            },
            ["metered_limit_name"] = "codex",
            ["limit_name"] = null,
            ["promo"] = null,
        };
    }

    /// <summary>The turn-state token, sent during a response; codex replays it in <c>client_metadata</c> for the rest of the turn.</summary>
    public static JsonObject Metadata(string responseId, string turnState) => new()
    {
        ["response_id"] = responseId,
        ["headers"] = new JsonObject { ["x-codex-turn-state"] = turnState },
    };
}
