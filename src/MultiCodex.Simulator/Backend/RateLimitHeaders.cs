using System.Globalization;

namespace MultiCodex.Simulator.Backend;

/// <summary>The <c>x-codex-*</c> rate-limit snapshot headers (docs/upstream-protocol.md §8); both the newer
/// <c>reset-at</c> and the legacy <c>reset-after-seconds</c> forms are sent. A credit-only account has no windows, so
/// only the credit and plan headers. Over WebSocket the same pairs travel as the <c>headers</c> map of a quota frame.</summary>
internal static class RateLimitHeaders
{
    public static List<KeyValuePair<string, string>> For(SimAccount account, UsageSnapshot usage, RateLimitReachedKind? reached = null)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!usage.IsCreditOnly)
        {
            Window(headers, "primary", usage.Primary);
            if (usage.Secondary is { } secondary)
            {
                Window(headers, "secondary", secondary);
            }

            Add(headers, "x-codex-primary-over-secondary-limit-percent", "0");
        }

        Add(headers, "x-codex-credits-has-credits", account.HasCredits || usage.IsCreditOnly ? "true" : "false");
        Add(headers, "x-codex-credits-unlimited", "false");
        if ((usage.Budget is { } budget ? CreditBudgetSnapshot.Amount(budget.Remaining) : account.CreditsBalance) is { } balance)
        {
            Add(headers, "x-codex-credits-balance", balance);
        }

        Add(headers, "x-codex-plan-type", account.Plan);
        Add(headers, "x-codex-active-limit", "codex");
        if (reached is { } kind)
        {
            Add(headers, "x-codex-rate-limit-reached-type", RateLimitKinds.WireName(kind));
        }

        return headers;
    }

    public static void Apply(HttpResponse response, SimAccount account, UsageSnapshot usage, string modelsEtag, RateLimitReachedKind? reached = null)
    {
        foreach (var (name, value) in For(account, usage, reached))
        {
            response.Headers[name] = value;
        }

        response.Headers["x-models-etag"] = modelsEtag;
    }

    /// <summary>The header name as the real WebSocket quota frames spell it (<c>X-Codex-Primary-Used-Percent</c>).</summary>
    public static string TitleCase(string name) =>
        string.Join('-', name.Split('-').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    private static void Window(List<KeyValuePair<string, string>> headers, string slot, UsageWindowSnapshot window)
    {
        Add(headers, $"x-codex-{slot}-used-percent", window.UsedPercent.ToString(CultureInfo.InvariantCulture));
        Add(headers, $"x-codex-{slot}-window-minutes", window.WindowMinutes.ToString(CultureInfo.InvariantCulture));
        Add(headers, $"x-codex-{slot}-reset-at", window.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Add(headers, $"x-codex-{slot}-reset-after-seconds", window.ResetAfterSeconds.ToString(CultureInfo.InvariantCulture));
    }

    private static void Add(List<KeyValuePair<string, string>> headers, string name, string value) => headers.Add(new(name, value));
}
