using CsCheck;
using MultiCodex.Pool;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Selection over random pools keeps the seed's ordering and tie-breaks, whatever the pool looks like. These pin the
/// one implementation of the rules (MultiCodex.Pool) that Control and every Edge share.
/// </summary>
public sealed class AccountSelectorPropertyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly UsageWindowSnapshot? NoWindow = null;
    private static readonly double[] UsedPercents = [0, 0, 5, 50, 99, 100];

    private static readonly Gen<UsageWindowSnapshot?> GenWindow =
        Gen.Frequency(
            (1, Gen.Const(NoWindow)),
            (3, Gen.Select(Gen.Int[0, 5].Select(i => UsedPercents[i]), Gen.Int[0, 6 * 24],
                (used, hours) => (UsageWindowSnapshot?)new UsageWindowSnapshot(used, TimeSpan.FromDays(7), Now.AddHours(hours)))),
            // A weekly window whose reset has passed: it has started over.
            (1, Gen.Int[1, 48].Select(hours => (UsageWindowSnapshot?)new UsageWindowSnapshot(100, TimeSpan.FromDays(7), Now.AddHours(-hours)))));

    private static readonly Gen<PoolAccount> GenAccount =
        Gen.Select(Gen.Int[0, 999_999], Gen.Int[0, 3], Gen.Bool, Gen.Frequency((6, Gen.Const(false)), (1, Gen.Const(true))),
            Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))), Gen.Int[-1, 5], Gen.Int[0, 3], GenWindow)
        .Select(t =>
        {
            var (n, priority, enabled, reauth, blocked, lastUsedMinutes, fiveHourUsed, weekly) = t;
            return new PoolAccount
            {
                Id = $"acc_{n:D6}",
                Email = $"{n}@example.com",
                Priority = priority,
                Enabled = enabled || n % 5 != 0,
                ReauthRequired = reauth,
                BlockedUntil = blocked ? Now.AddMinutes(30) : null,
                BlockReason = blocked ? "usage_limit_reached" : null,
                LastUsedAt = lastUsedMinutes < 0 ? null : Now.AddMinutes(-lastUsedMinutes),
                Usage = weekly is null && fiveHourUsed == 0 ? null : new AccountUsageSnapshot
                {
                    FiveHour = new UsageWindowSnapshot(fiveHourUsed == 0 ? 0 : fiveHourUsed * 20, TimeSpan.FromHours(5), Now.AddHours(2)),
                    Weekly = weekly,
                    ObservedAt = Now,
                },
            };
        });

    private static readonly Gen<List<PoolAccount>> GenPool =
        GenAccount.List[0, 12].Select(list => list.DistinctBy(a => a.Id).ToList());

    [Fact]
    public void Select_ChoosesAnEligibleAccount_OrNoneOnlyWhenNoneIsEligible()
    {
        GenPool.Sample(pool =>
        {
            var excluded = pool.Where((_, i) => i % 4 == 3).Select(a => a.Id).ToHashSet();
            var selection = AccountSelector.Select(pool, excluded, null, Now);
            var eligible = pool.Where(a => AccountSelector.IsEligible(a, Now, excluded)).ToList();
            return selection is null ? eligible.Count == 0 : eligible.Contains(selection.Account);
        });
    }

    [Fact]
    public void Select_FollowsTheRulesInOrder_ThenPriority_ThenLeastRecentlyUsed()
    {
        GenPool.Sample(pool =>
        {
            var selection = AccountSelector.Select(pool, new HashSet<string>(), null, Now);
            if (selection is null)
            {
                return true;
            }
            var chosen = selection.Account;
            var eligible = pool.Where(a => AccountSelector.IsEligible(a, Now, new HashSet<string>())).ToList();

            // Rule 1: an untouched account wins whenever one exists.
            if (eligible.Any(a => AccountSelector.RuleOf(a, Now) == SelectionRule.Untouched) && selection.Rule != SelectionRule.Untouched)
            {
                return false;
            }
            // Rule 2: else the weekly window that resets soonest.
            if (selection.Rule == SelectionRule.WeeklyResetSoonest
                && eligible.Any(a => AccountSelector.RuleOf(a, Now) == SelectionRule.WeeklyResetSoonest && WeeklyReset(a) < WeeklyReset(chosen)))
            {
                return false;
            }
            if (selection.Rule == SelectionRule.Priority && eligible.Any(a => AccountSelector.RuleOf(a, Now) != SelectionRule.Priority))
            {
                return false;
            }
            // Ties: among accounts equal on the rule, the lowest priority number, then the least recently used.
            var tied = eligible.Where(a => AccountSelector.RuleOf(a, Now) == selection.Rule
                && (selection.Rule != SelectionRule.WeeklyResetSoonest || WeeklyReset(a) == WeeklyReset(chosen))).ToList();
            if (tied.Any(a => a.Priority < chosen.Priority))
            {
                return false;
            }
            var lastUsed = (PoolAccount a) => a.LastUsedAt ?? DateTimeOffset.MinValue;
            return !tied.Any(a => a.Priority == chosen.Priority && lastUsed(a) < lastUsed(chosen));
        });
    }

    [Fact]
    public void Select_IsDeterministic_WhateverTheOrderOfThePool()
    {
        GenPool.Select(Gen.Int).Sample((pool, seed) =>
        {
            var shuffled = pool.OrderBy(_ => new Random(seed).Next()).ToList();
            var a = AccountSelector.Select(pool, new HashSet<string>(), null, Now);
            var b = AccountSelector.Select(shuffled, new HashSet<string>(), null, Now);
            return a?.Account.Id == b?.Account.Id;
        });
    }

    [Fact]
    public void Select_KeepsAnEligibleStickyAccount_AndIgnoresAnIneligibleOne()
    {
        GenPool.Sample(pool =>
        {
            foreach (var candidate in pool)
            {
                var selection = AccountSelector.Select(pool, new HashSet<string>(), candidate.Id, Now);
                var eligible = AccountSelector.IsEligible(candidate, Now, new HashSet<string>());
                if (eligible != (selection?.Account.Id == candidate.Id && selection.Rule == SelectionRule.Sticky))
                {
                    return false;
                }
            }
            return true;
        });
    }

    [Fact]
    public void AWindowWhoseResetHasPassed_CountsAsEmpty()
    {
        GenPool.Sample(pool =>
        {
            // An instant after every reset in the pool has passed, every window has started over.
            var later = (pool.SelectMany(a => new[] { a.Usage?.FiveHour?.ResetsAt, a.Usage?.Weekly?.ResetsAt }).Max() ?? Now).AddSeconds(1);
            return pool.All(a => a.Usage is not { } usage || (usage.FiveHour is null && usage.Weekly is null)
                || AccountSelector.RuleOf(a, later) == SelectionRule.Untouched);
        });
    }

    [Fact]
    public void ExhaustedWeeklyWindowPastItsReset_RanksAsUntouched_NotLast()
    {
        var stale = new PoolAccount
        {
            Id = "acc_stale",
            Priority = 5,
            Usage = new AccountUsageSnapshot { Weekly = new UsageWindowSnapshot(100, TimeSpan.FromDays(7), Now.AddMinutes(-1)), ObservedAt = Now.AddDays(-7) },
        };
        var busy = new PoolAccount
        {
            Id = "acc_busy",
            Priority = 0,
            Usage = new AccountUsageSnapshot { Weekly = new UsageWindowSnapshot(40, TimeSpan.FromDays(7), Now.AddDays(3)), ObservedAt = Now },
        };

        var selection = AccountSelector.Select([busy, stale], null, null, Now);

        Assert.Equal(("acc_stale", SelectionRule.Untouched), (selection!.Account.Id, selection.Rule));
    }

    private static DateTimeOffset? WeeklyReset(PoolAccount account) => UsageWindows.AsOf(account.Usage?.Weekly, Now)?.ResetsAt;
}
