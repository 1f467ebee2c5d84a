using System.Globalization;

namespace MultiCodex.Simulator.Backend;

/// <summary>The <c>x-codex-*</c> rate-limit snapshot headers (codex-protocol.md §4.1); both the newer
/// <c>reset-at</c> and the legacy <c>reset-after-seconds</c> forms are sent.</summary>
internal static class RateLimitHeaders
{
    public static void Apply(HttpResponse response, SimAccount account, UsageSnapshot usage, string modelsEtag)
    {
        var headers = response.Headers;
        Window(headers, "primary", usage.Primary);
        if (usage.Secondary is { } secondary)
        {
            Window(headers, "secondary", secondary);
        }

        headers["x-codex-primary-over-secondary-limit-percent"] = "0";
        headers["x-codex-credits-has-credits"] = account.HasCredits ? "true" : "false";
        headers["x-codex-credits-unlimited"] = "false";
        if (account.CreditsBalance is { } balance)
        {
            headers["x-codex-credits-balance"] = balance;
        }

        headers["x-codex-plan-type"] = account.Plan;
        headers["x-codex-active-limit"] = "codex";
        headers["x-models-etag"] = modelsEtag;
    }

    private static void Window(IHeaderDictionary headers, string slot, UsageWindowSnapshot window)
    {
        headers[$"x-codex-{slot}-used-percent"] = window.UsedPercent.ToString(CultureInfo.InvariantCulture);
        headers[$"x-codex-{slot}-window-minutes"] = window.WindowMinutes.ToString(CultureInfo.InvariantCulture);
        headers[$"x-codex-{slot}-reset-at"] = window.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        headers[$"x-codex-{slot}-reset-after-seconds"] = window.ResetAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }
}
