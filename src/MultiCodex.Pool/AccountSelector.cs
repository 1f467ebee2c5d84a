using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>The rule that decided a choice.</summary>
public enum SelectionRule { Sticky, Untouched, WeeklyResetSoonest, Priority }

/// <summary>A choice and why it was made.</summary>
public sealed record Selection(PoolAccount Account, SelectionRule Rule, string Explanation)
{
    /// <summary>The rule's name in explain headers and logs: <c>sticky</c>, <c>untouched</c>, <c>weekly_reset_soonest</c>, <c>priority</c>.</summary>
    public string RuleName => Rule switch
    {
        SelectionRule.Sticky => "sticky",
        SelectionRule.Untouched => "untouched",
        SelectionRule.WeeklyResetSoonest => "weekly_reset_soonest",
        _ => "priority",
    };
}

/// <summary>Why no account could be chosen, and when one will be free again if that is known.</summary>
public sealed record Unavailability(string Reason, DateTimeOffset? RetryAt);

/// <summary>
/// The seed's selection rules, as one deterministic ordering over the eligible accounts (enabled, not re-auth
/// required, not blocked, not excluded): (1) accounts untouched on both windows first; (2) else the one whose weekly
/// window resets soonest; (3) else (usage unknown) by priority. Ties: priority (lower first), then least recently
/// used. A sticky session's account wins while it stays eligible. Windows are read as they stand now: one whose reset
/// time has passed counts as 0 % (<see cref="UsageWindows.AsOf(UsageWindowSnapshot?, DateTimeOffset)"/>).
/// </summary>
public static class AccountSelector
{
    private static readonly IReadOnlySet<string> NoneExcluded = new HashSet<string>();

    public static bool IsEligible(PoolAccount account, DateTimeOffset now, IReadOnlySet<string> excluded) =>
        account.Enabled && !account.ReauthRequired && !account.IsBlockedAt(now) && !excluded.Contains(account.Id);

    public static Selection? Select(IReadOnlyList<PoolAccount> accounts, IReadOnlySet<string>? excluded, string? stickyAccountId, DateTimeOffset now)
    {
        excluded ??= NoneExcluded;
        var eligible = new List<PoolAccount>(accounts.Count);
        foreach (var account in accounts)
        {
            if (IsEligible(account, now, excluded))
            {
                eligible.Add(account);
            }
        }
        if (eligible.Count == 0)
        {
            return null;
        }
        if (stickyAccountId is not null && eligible.Find(a => a.Id == stickyAccountId) is { } sticky)
        {
            return new Selection(sticky, SelectionRule.Sticky, $"{sticky.Name} keeps this session (sticky); {eligible.Count} eligible");
        }
        eligible.Sort((a, b) => Compare(a, b, now));
        var chosen = eligible[0];
        var rule = RuleOf(chosen, now);
        return new Selection(chosen, rule, Explain(chosen, rule, eligible, accounts.Count - eligible.Count, now));
    }

    /// <summary>Which rule an account falls under at <paramref name="now"/>: its group in the ordering.</summary>
    public static SelectionRule RuleOf(PoolAccount account, DateTimeOffset now)
    {
        if (account.Usage is not { } usage || (usage.FiveHour is null && usage.Weekly is null))
        {
            return SelectionRule.Priority;
        }
        var fiveHour = UsageWindows.AsOf(usage.FiveHour, now);
        var weekly = UsageWindows.AsOf(usage.Weekly, now);
        return (fiveHour?.UsedPercent ?? 0) <= 0 && (weekly?.UsedPercent ?? 0) <= 0 ? SelectionRule.Untouched
            : weekly?.ResetsAt is not null ? SelectionRule.WeeklyResetSoonest
            : SelectionRule.Priority;
    }

    /// <summary>Why nothing is eligible: every account blocked (and until when), disabled, signed out, or none at all.</summary>
    public static Unavailability Unavailable(IReadOnlyList<PoolAccount> accounts, DateTimeOffset now)
    {
        // Excluded accounts count too: the caller excluded them because they just hit their quota.
        DateTimeOffset? retryAt = null;
        foreach (var account in accounts)
        {
            if (account.Enabled && !account.ReauthRequired && account.IsBlockedAt(now) && (retryAt is null || account.BlockedUntil < retryAt))
            {
                retryAt = account.BlockedUntil;
            }
        }
        var reason = accounts.Count == 0 ? "No accounts are configured."
            : retryAt is { } at ? $"Every usable account is blocked by its quota; the first is free again at {at.ToString("u", CultureInfo.InvariantCulture)}."
            : accounts.All(a => !a.Enabled) ? "Every account is disabled."
            : accounts.Where(a => a.Enabled).All(a => a.ReauthRequired) ? "Every enabled account needs a new sign-in."
            : "No account is eligible for this request (all were tried, disabled, or need a new sign-in).";
        return new Unavailability(reason, retryAt);
    }

    private static int Compare(PoolAccount a, PoolAccount b, DateTimeOffset now)
    {
        var ruleA = RuleOf(a, now);
        var ruleB = RuleOf(b, now);
        var order = ruleA.CompareTo(ruleB);
        if (order == 0 && ruleA == SelectionRule.WeeklyResetSoonest)
        {
            order = Nullable.Compare(WeeklyReset(a, now), WeeklyReset(b, now));
        }
        if (order == 0)
        {
            order = a.Priority.CompareTo(b.Priority);
        }
        if (order == 0)
        {
            order = (a.LastUsedAt ?? DateTimeOffset.MinValue).CompareTo(b.LastUsedAt ?? DateTimeOffset.MinValue);
        }
        return order != 0 ? order : string.CompareOrdinal(a.Id, b.Id);
    }

    private static DateTimeOffset? WeeklyReset(PoolAccount account, DateTimeOffset now) => UsageWindows.AsOf(account.Usage?.Weekly, now)?.ResetsAt;

    private static string Explain(PoolAccount chosen, SelectionRule rule, List<PoolAccount> ranked, int ineligible, DateTimeOffset now)
    {
        var why = rule switch
        {
            SelectionRule.Untouched => "untouched on both windows",
            SelectionRule.WeeklyResetSoonest => "weekly window resets soonest (" + Time(WeeklyReset(chosen, now)) + ")",
            _ => "no usage known; by priority",
        };
        var runnersUp = string.Join(", ", ranked.Skip(1).Take(3).Select(a => $"{a.Name} ({Describe(a, now)})"));
        return $"{chosen.Name}: {why}, priority {chosen.Priority}; {ranked.Count} eligible, {ineligible} not"
            + (runnersUp.Length > 0 ? $"; next: {runnersUp}" : "");
    }

    private static string Describe(PoolAccount account, DateTimeOffset now) => RuleOf(account, now) switch
    {
        SelectionRule.Untouched => $"untouched, p{account.Priority}",
        SelectionRule.WeeklyResetSoonest => $"weekly resets {Time(WeeklyReset(account, now))}, p{account.Priority}",
        _ => $"usage unknown, p{account.Priority}",
    };

    private static string Time(DateTimeOffset? time) => time?.ToString("u", CultureInfo.InvariantCulture) ?? "?";
}
