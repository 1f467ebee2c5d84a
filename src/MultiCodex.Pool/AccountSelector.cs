using System.Globalization;

namespace MultiCodex.Pool;

/// <summary>The rule that decided a choice.</summary>
public enum SelectionRule { Sticky, Untouched, WeeklyResetSoonest, Priority }

/// <summary>A choice and why it was made.</summary>
/// <param name="Explain">Writes the explanation; called only when someone asks (the explain header), because a
/// choice is made on every request and the sentence is read on few.</param>
public sealed record Selection(PoolAccount Account, SelectionRule Rule, Func<string> Explain)
{
    /// <summary>Why this account, in a sentence: the rule, the runners-up, how many were eligible.</summary>
    public string Explanation => field ??= Explain();

    /// <summary>Which meter pays, and the model id to send when it is not the one asked for (the reserve's own).</summary>
    public MeterRoute Route { get; init; } = MeterRoute.Ordinary;

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
/// <param name="FirstFree">The account that is free again first (at <paramref name="RetryAt"/>): whose meters a quota answer shows.</param>
public sealed record Unavailability(string Reason, DateTimeOffset? RetryAt, PoolAccount? FirstFree = null);

/// <summary>
/// The seed's selection rules over what is eligible for the requested model (enabled, not re-auth required, not
/// excluded, among the accounts the client key may use, and a meter that may pay: <see cref="MeterRoutes"/>): (1) accounts untouched on the meters that pay
/// first; (2) else the one whose weekly window (else its longest meter) resets soonest; (3) else (usage unknown) by
/// priority. Ties: priority (lower first), then least recently used. Accounts the ordinary meters can pay for come
/// before those only a reserve can; a sticky session's account wins within the group that serves. Meters are read
/// as they stand now: one whose reset has passed counts as 0 % (<see cref="UsageMeter.AsOf"/>).
/// </summary>
public static class AccountSelector
{
    private static readonly IReadOnlySet<string> NoneExcluded = new HashSet<string>();

    /// <summary>Eligible for an ordinary request: enabled, signed in, not excluded, and its ordinary meters neither blocked nor spent.</summary>
    public static bool IsEligible(PoolAccount account, DateTimeOffset now, IReadOnlySet<string> excluded) =>
        Available(account, excluded) && MeterRoutes.OrdinaryOpen(account, UsageMeters.AsOf(account.Usage, now), now);

    public static Selection? Select(
        IReadOnlyList<PoolAccount> accounts, IReadOnlySet<string>? excluded, string? stickyAccountId, DateTimeOffset now, ModelDemand? demand = null)
    {
        excluded ??= NoneExcluded;
        demand ??= ModelDemand.Any;
        var reserveModel = MeterRoutes.NamesReserve(accounts, demand.Model);
        var direct = new List<Candidate>(accounts.Count);
        var switched = new List<Candidate>();
        foreach (var account in accounts)
        {
            if (Available(account, excluded) && demand.MayUse(account.Id) && MeterRoutes.RouteFor(account, demand, reserveModel, now) is { } route)
            {
                (route.UpstreamModel is null ? direct : switched).Add(new Candidate(account, route, Standing(account, route, now)));
            }
        }
        // Ordinary quota anywhere in the pool is spent before any reserve is switched to (docs/account-pool.md).
        var eligible = direct.Count > 0 ? direct : switched;
        if (eligible.Count == 0)
        {
            return null;
        }
        if (stickyAccountId is not null && eligible.Find(c => c.Account.Id == stickyAccountId) is { } sticky)
        {
            return new Selection(sticky.Account, SelectionRule.Sticky,
                () => $"{sticky.Account.Name} keeps this session (sticky){Via(sticky.Route)}; {eligible.Count} eligible") { Route = sticky.Route };
        }
        eligible.Sort(Compare);
        var chosen = eligible[0];
        var ineligible = accounts.Count - eligible.Count;
        return new Selection(chosen.Account, chosen.Standing.Rule, () => Explain(chosen, eligible, ineligible)) { Route = chosen.Route };
    }

    /// <summary>Which rule an account falls under for an ordinary request at <paramref name="now"/>: its group in the ordering.</summary>
    public static SelectionRule RuleOf(PoolAccount account, DateTimeOffset now) => Standing(account, MeterRoute.Ordinary, now).Rule;

    /// <summary>
    /// Why nothing is eligible for <paramref name="demand"/>: every account spent or blocked (and when the first is
    /// free again), disabled, signed out, or none at all.
    /// </summary>
    public static Unavailability Unavailable(IReadOnlyList<PoolAccount> accounts, DateTimeOffset now, ModelDemand? demand = null)
    {
        demand ??= ModelDemand.Any;
        if (demand.AllowedAccountIds is not null)
        {
            // A key limited to some accounts waits for those only.
            var pool = accounts.Where(a => demand.MayUse(a.Id)).ToList();
            if (pool.Count == 0)
            {
                return new Unavailability("None of the accounts this API key may use is in the pool.", null);
            }
            accounts = pool;
        }
        var reserveModel = MeterRoutes.NamesReserve(accounts, demand.Model);
        // Excluded accounts count too: the caller excluded them because they just hit their quota.
        DateTimeOffset? retryAt = null;
        PoolAccount? firstFree = null;
        foreach (var account in accounts)
        {
            if (account.Enabled && !account.ReauthRequired && MeterRoutes.FreeAt(account, demand, reserveModel, now) is { } free && (retryAt is null || free < retryAt))
            {
                (retryAt, firstFree) = (free, account);
            }
        }
        var at = retryAt?.ToString("u", CultureInfo.InvariantCulture);
        var reason = accounts.Count == 0 ? "No accounts are configured."
            : reserveModel && at is not null ? $"Every account's {demand.Model} limit is spent or blocked; the first is free again at {at}."
            : reserveModel ? $"No account's {demand.Model} limit can take this request now."
            : at is not null ? $"Every usable account is blocked by its quota; the first is free again at {at}."
            : accounts.All(a => !a.Enabled) ? "Every account is disabled."
            : accounts.Where(a => a.Enabled).All(a => a.ReauthRequired) ? "Every enabled account needs a new sign-in."
            : "No account is eligible for this request (all were tried, disabled, or need a new sign-in).";
        return new Unavailability(reason, retryAt, firstFree);
    }

    private static bool Available(PoolAccount account, IReadOnlySet<string> excluded) =>
        account.Enabled && !account.ReauthRequired && !excluded.Contains(account.Id);

    /// <summary>
    /// Where an account stands on the meters that pay for the route: untouched (all at 0 %), or ranked by the reset of
    /// its weekly window (else its longest meter beyond the 5-hour one: an other window, the credit budget, the
    /// reserve), or unknown (priority decides).
    /// </summary>
    private static Standing Standing(PoolAccount account, MeterRoute route, DateTimeOffset now)
    {
        var usage = UsageMeters.AsOf(account.Usage, now);
        List<UsageMeter> paying = route.Reserve is { } reserve
            ? [usage?.Find(reserve.Key) ?? reserve.AsOf(now)]
            : [.. usage?.Ordinary ?? []];
        if (paying.Count == 0)
        {
            return new Standing(SelectionRule.Priority, null, paying);
        }
        if (paying.TrueForAll(m => m.UsedPercent <= 0 && !m.LimitReached))
        {
            return new Standing(SelectionRule.Untouched, null, paying);
        }
        var longest = paying.Find(m => m.Kind == MeterKind.Weekly)
            ?? paying.Where(m => m.Kind != MeterKind.FiveHour).OrderByDescending(m => m.Window ?? TimeSpan.MaxValue).FirstOrDefault();
        return longest?.ResetsAt is not null ? new Standing(SelectionRule.WeeklyResetSoonest, longest, paying) : new Standing(SelectionRule.Priority, null, paying);
    }

    private static int Compare(Candidate a, Candidate b)
    {
        var order = a.Standing.Rule.CompareTo(b.Standing.Rule);
        if (order == 0 && a.Standing.Rule == SelectionRule.WeeklyResetSoonest)
        {
            order = Nullable.Compare(a.Standing.By?.ResetsAt, b.Standing.By?.ResetsAt);
        }
        if (order == 0)
        {
            order = a.Account.Priority.CompareTo(b.Account.Priority);
        }
        if (order == 0)
        {
            order = (a.Account.LastUsedAt ?? DateTimeOffset.MinValue).CompareTo(b.Account.LastUsedAt ?? DateTimeOffset.MinValue);
        }
        return order != 0 ? order : string.CompareOrdinal(a.Account.Id, b.Account.Id);
    }

    private static string Explain(Candidate chosen, List<Candidate> ranked, int ineligible)
    {
        var why = chosen.Standing.Rule switch
        {
            SelectionRule.Untouched => "untouched on " + Untouched(chosen.Standing.Paying),
            SelectionRule.WeeklyResetSoonest => MeterLabels.Of(chosen.Standing.By!) + " resets soonest (" + Time(chosen.Standing.By!.ResetsAt) + ")",
            _ => "no usage known; by priority",
        };
        var runnersUp = string.Join(", ", ranked.Skip(1).Take(3).Select(c => $"{c.Account.Name} ({Describe(c)})"));
        return $"{chosen.Account.Name}: {why}{Via(chosen.Route)}, priority {chosen.Account.Priority}; {ranked.Count} eligible, {ineligible} not"
            + (runnersUp.Length > 0 ? $"; next: {runnersUp}" : "");
    }

    private static string Via(MeterRoute route) => route.Reserve is not { } reserve ? ""
        : route.UpstreamModel is { } sent ? $"; ordinary quota spent, served by its {MeterLabels.Of(reserve)} as {sent}"
        : $"; paid by its {MeterLabels.Of(reserve)}";

    private static string Untouched(List<UsageMeter> paying) =>
        paying is [{ Kind: MeterKind.FiveHour }, { Kind: MeterKind.Weekly }] ? "both windows"
        : paying is [var only] ? "its " + MeterLabels.Of(only)
        : "every meter";

    private static string Describe(Candidate candidate) => candidate.Standing.Rule switch
    {
        SelectionRule.Untouched => $"untouched, p{candidate.Account.Priority}",
        SelectionRule.WeeklyResetSoonest => $"{MeterLabels.Of(candidate.Standing.By!)} resets {Time(candidate.Standing.By!.ResetsAt)}, p{candidate.Account.Priority}",
        _ => $"usage unknown, p{candidate.Account.Priority}",
    };

    private static string Time(DateTimeOffset? time) => time?.ToString("u", CultureInfo.InvariantCulture) ?? "?";

    private sealed record Candidate(PoolAccount Account, MeterRoute Route, Standing Standing);
}

/// <summary>An account's place on the meters that pay: its rule, the meter whose reset ranks it, and those meters.</summary>
internal sealed record Standing(SelectionRule Rule, UsageMeter? By, List<UsageMeter> Paying);
