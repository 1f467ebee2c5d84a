using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>
/// The <c>x-codex-*</c> usage snapshot of one account as the upstream itself sends it with a quota answer
/// (docs/upstream-responses.md §4, docs/websocket.md "When the whole pool is spent"): its ordinary windows, the
/// shortest as <c>primary</c> and the next as <c>secondary</c> (a weekly-only plan's one window is its primary, as
/// upstream reports it), each with its used percent, length in minutes and reset. The Codex CLI refreshes its limit
/// display from these headers — on HTTP from the response's, over WebSocket from an error frame's <c>headers</c> map.
/// The inverse of <see cref="UsageMeters.FromHeaders"/>.
/// </summary>
/// <remarks>
/// Only what the pool knows is written: no window of unknown usage, no plan type (a pool's limit is not one plan's,
/// and the Codex CLI words its message after the plan: "upgrade to Pro" would be wrong advice), no credit balance (the
/// pool does not track bought credits). A window whose meter is blocked is shown spent until the block ends, even
/// when its last reading was lower: the block is the newer fact.
/// </remarks>
public static class QuotaHeaders
{
    /// <summary>The headers for <paramref name="account"/> as it stands at <paramref name="now"/>; empty when nothing is known (or no account).</summary>
    public static List<KeyValuePair<string, string>> Of(PoolAccount? account, DateTimeOffset now)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (account is null || UsageMeters.AsOf(account.Usage, now) is not { } usage)
        {
            return headers;
        }
        var windows = usage.Meters
            .Where(m => m.Kind is MeterKind.FiveHour or MeterKind.Weekly or MeterKind.OtherWindow && m.Window > TimeSpan.Zero)
            .OrderBy(m => m.Window)
            .Take(2)
            .ToList();
        for (var i = 0; i < windows.Count; i++)
        {
            Window(headers, i == 0 ? "primary" : "secondary", Blocked(windows[i], account.Blocks, now), now);
        }
        return headers;
    }

    // A block on the meter's own key says it is spent until the block ends (or its reset, whichever is later).
    private static UsageMeter Blocked(UsageMeter meter, IReadOnlyList<MeterBlock> blocks, DateTimeOffset now)
    {
        foreach (var block in blocks)
        {
            if (block.Meter == meter.Key && block.Until > now)
            {
                var until = meter.ResetsAt is { } reset && reset > block.Until ? reset : block.Until;
                return meter with { UsedPercent = 100, ResetsAt = until };
            }
        }
        return meter;
    }

    private static void Window(List<KeyValuePair<string, string>> headers, string slot, UsageMeter meter, DateTimeOffset now)
    {
        Add(headers, $"x-codex-{slot}-used-percent", Math.Round(meter.UsedPercent, 2).ToString(CultureInfo.InvariantCulture));
        Add(headers, $"x-codex-{slot}-window-minutes", ((long)Math.Round(meter.Window!.Value.TotalMinutes)).ToString(CultureInfo.InvariantCulture));
        if (meter.ResetsAt is { } reset)
        {
            // Both forms, as upstream sends them: reset-at for current clients, reset-after-seconds for older ones.
            Add(headers, $"x-codex-{slot}-reset-at", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            Add(headers, $"x-codex-{slot}-reset-after-seconds", ((long)Math.Ceiling(Math.Max(0, (reset - now).TotalSeconds))).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Add(List<KeyValuePair<string, string>> headers, string name, string value) => headers.Add(new(name, value));
}
