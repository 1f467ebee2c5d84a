using System.Globalization;
using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Leases;

/// <summary>The rule that decided a choice (design.md, Selection).</summary>
public enum SelectionRule { Sticky, Untouched, WeeklyResetSoonest, Priority }

/// <summary>A choice and why it was made.</summary>
public sealed record Selection(AccountRecord Account, SelectionRule Rule, string Explanation);

/// <summary>
/// The seed's selection rules, as one deterministic ordering over the eligible accounts (enabled, not re-auth
/// required, not blocked, not excluded):
/// (1) accounts untouched on both windows first; (2) else the one whose weekly window resets soonest;
/// (3) else (usage unknown) by priority. Ties: priority (lower first), then least recently used.
/// A sticky session's account wins while it stays eligible.
/// </summary>
public static class AccountSelector
{
    public static bool IsEligible(AccountRecord account, DateTimeOffset now, IReadOnlySet<string> excluded) =>
        account.Enabled && account.ReauthReason is null && !account.IsBlockedAt(now) && !excluded.Contains(account.Id);

    public static Selection? Select(IReadOnlyList<AccountRecord> accounts, IReadOnlySet<string> excluded, string? stickyAccountId, DateTimeOffset now)
    {
        var eligible = accounts.Where(a => IsEligible(a, now, excluded)).ToList();
        if (eligible.Count == 0)
        {
            return null;
        }
        if (stickyAccountId is not null && eligible.FirstOrDefault(a => a.Id == stickyAccountId) is { } sticky)
        {
            return new Selection(sticky, SelectionRule.Sticky, $"{sticky.Id} keeps this session (sticky); {eligible.Count} eligible");
        }
        var ranked = eligible.OrderBy(a => RuleOf(a)).ThenBy(a => RuleOf(a) == SelectionRule.WeeklyResetSoonest ? a.Usage!.Weekly!.ResetsAt : null)
            .ThenBy(a => a.Priority).ThenBy(a => a.LastUsedAt ?? DateTimeOffset.MinValue).ThenBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        var chosen = ranked[0];
        var rule = RuleOf(chosen);
        return new Selection(chosen, rule, Explain(chosen, rule, ranked, accounts.Count - eligible.Count));
    }

    /// <summary>Which rule an account falls under: its group in the ordering.</summary>
    public static SelectionRule RuleOf(AccountRecord account) =>
        account.Usage is not { } usage || (usage.FiveHour is null && usage.Weekly is null) ? SelectionRule.Priority
        : (usage.FiveHour?.UsedPercent ?? 0) <= 0 && (usage.Weekly?.UsedPercent ?? 0) <= 0 ? SelectionRule.Untouched
        : usage.Weekly?.ResetsAt is not null ? SelectionRule.WeeklyResetSoonest
        : SelectionRule.Priority;

    private static string Explain(AccountRecord chosen, SelectionRule rule, List<AccountRecord> ranked, int ineligible)
    {
        var why = rule switch
        {
            SelectionRule.Untouched => "untouched on both windows",
            SelectionRule.WeeklyResetSoonest => "weekly window resets soonest (" + chosen.Usage!.Weekly!.ResetsAt!.Value.ToString("u", CultureInfo.InvariantCulture) + ")",
            _ => "no usage known; by priority",
        };
        var runnersUp = string.Join(", ", ranked.Skip(1).Take(3).Select(a => $"{a.Id} ({Describe(a)})"));
        return $"{chosen.Id}: {why}, priority {chosen.Priority}; {ranked.Count} eligible, {ineligible} not"
            + (runnersUp.Length > 0 ? $"; next: {runnersUp}" : "");
    }

    private static string Describe(AccountRecord account) => RuleOf(account) switch
    {
        SelectionRule.Untouched => $"untouched, p{account.Priority}",
        SelectionRule.WeeklyResetSoonest => $"weekly resets {account.Usage!.Weekly!.ResetsAt!.Value.ToString("u", CultureInfo.InvariantCulture)}, p{account.Priority}",
        _ => $"usage unknown, p{account.Priority}",
    };
}
