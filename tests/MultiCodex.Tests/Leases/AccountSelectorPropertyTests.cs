using CsCheck;
using MultiCodex.Pool;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// Selection over random pools keeps the seed's ordering and tie-breaks, whatever the pool looks like: two windows,
/// weekly-only, credit-only and reserve accounts, with blocks on any meter. These pin the one implementation of the
/// rules (MultiCodex.Pool) that Control and every Edge share.
/// </summary>
public sealed class AccountSelectorPropertyTests
{
    private const string Luna = "gpt-5.6-luna";
    private const string ReserveModel = "gpt-reserve";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly double[] UsedPercents = [0, 0, 5, 50, 99, 100];
    private static readonly string[] BlockMeters = ["weekly", "5h", "credits", "ordinary", "reserve:gpt-reserve", "workspace", "account"];
    private static readonly ModelDemand[] Demands =
        [ModelDemand.Any, new("gpt-5.5"), new(Luna), new(Luna, MaySwitchToReserve: true), new(ReserveModel), new(ReserveModel, true)];

    private static readonly Gen<double> GenUsed = Gen.Int[0, 5].Select(i => UsedPercents[i]);

    private static readonly Gen<UsageMeter> GenWeekly = Gen.Frequency(
        (4, Gen.Select(GenUsed, Gen.Int[0, 6 * 24], (used, hours) => Window(MeterKind.Weekly, used, TimeSpan.FromDays(7), Now.AddHours(hours)))),
        // A weekly window whose reset has passed: it has started over.
        (1, Gen.Int[1, 48].Select(hours => Window(MeterKind.Weekly, 100, TimeSpan.FromDays(7), Now.AddHours(-hours)))));

    private static readonly Gen<UsageMeter> GenFiveHour =
        Gen.Select(GenUsed, Gen.Int[1, 5], (used, hours) => Window(MeterKind.FiveHour, used, TimeSpan.FromHours(5), Now.AddHours(hours)));

    private static readonly Gen<UsageMeter> GenCredits = Gen.Select(GenUsed, Gen.Int[1, 30], (used, days) => new UsageMeter
    {
        Kind = MeterKind.CreditBudget,
        UsedPercent = used,
        CreditLimit = 100,
        CreditsUsed = (decimal)used,
        ResetsAt = Now.AddDays(days),
    });

    private static readonly Gen<UsageMeter> GenReserve = Gen.Select(GenUsed, Gen.Int[1, 200], Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))),
        (used, hours, refused) => new UsageMeter
        {
            Kind = MeterKind.Reserve,
            UsedPercent = used,
            Window = TimeSpan.FromDays(7),
            ResetsAt = Now.AddHours(hours),
            LimitName = ReserveModel,
            Model = Luna,
            LimitReached = refused,
        });

    /// <summary>Every usage shape: none, two windows, weekly-only, credit-only, each with or without a reserve.</summary>
    private static readonly Gen<List<UsageMeter>?> GenMeters = Gen.Select(Gen.Int[0, 3], GenFiveHour, GenWeekly, GenCredits, GenReserve, Gen.Bool,
        (shape, fiveHour, weekly, credits, reserve, hasReserve) =>
        {
            List<UsageMeter>? meters = shape switch
            {
                0 => null,
                1 => [fiveHour, weekly],
                2 => [weekly],
                _ => [credits],
            };
            if (hasReserve)
            {
                (meters ??= []).Add(reserve);
            }
            return meters;
        });

    private static readonly Gen<List<MeterBlock>> GenBlocks = Gen.Frequency(
        (4, Gen.Const<List<MeterBlock>>([])),
        (2, Gen.Select(Gen.Int[0, BlockMeters.Length - 1], Gen.Int[-30, 90],
            (meter, minutes) => new List<MeterBlock> { new(BlockMeters[meter], Now.AddMinutes(minutes), "usage_limit_reached") })));

    private static readonly Gen<PoolAccount> GenAccount =
        Gen.Select(Gen.Int[0, 999_999], Gen.Int[0, 3], Gen.Frequency((6, Gen.Const(true)), (1, Gen.Const(false))),
            Gen.Frequency((6, Gen.Const(false)), (1, Gen.Const(true))), GenBlocks, Gen.Int[-1, 5], GenMeters)
        .Select(t =>
        {
            var (n, priority, enabled, reauth, blocks, lastUsedMinutes, meters) = t;
            return new PoolAccount
            {
                Id = $"acc_{n:D6}",
                Email = $"{n}@example.com",
                Priority = priority,
                Enabled = enabled,
                ReauthRequired = reauth,
                Blocks = blocks,
                LastUsedAt = lastUsedMinutes < 0 ? null : Now.AddMinutes(-lastUsedMinutes),
                Usage = meters is null ? null : UsageMeters.Snapshot(meters, Now),
            };
        });

    private static readonly Gen<List<PoolAccount>> GenPool =
        GenAccount.List[0, 12].Select(list => list.DistinctBy(a => a.Id).ToList());

    private static readonly Gen<ModelDemand> GenDemand = Gen.Int[0, Demands.Length - 1].Select(i => Demands[i]);

    [Fact]
    public void Select_ChoosesAnAccountEligibleForTheModel_OrNoneOnlyWhenNoneIs()
    {
        GenPool.Select(GenDemand).Sample((pool, demand) =>
        {
            var excluded = pool.Where((_, i) => i % 4 == 3).Select(a => a.Id).ToHashSet();
            var selection = AccountSelector.Select(pool, excluded, null, Now, demand);
            var eligible = pool.Where(a => Route(pool, a, demand, excluded) is not null).ToList();
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

            // Rule 1: an account untouched on the meters that pay wins whenever one exists.
            if (eligible.Any(a => AccountSelector.RuleOf(a, Now) == SelectionRule.Untouched) && selection.Rule != SelectionRule.Untouched)
            {
                return false;
            }
            // Rule 2: else the weekly window (else the longest meter) that resets soonest.
            if (selection.Rule == SelectionRule.WeeklyResetSoonest
                && eligible.Any(a => AccountSelector.RuleOf(a, Now) == SelectionRule.WeeklyResetSoonest && RankingReset(a) < RankingReset(chosen)))
            {
                return false;
            }
            if (selection.Rule == SelectionRule.Priority && eligible.Any(a => AccountSelector.RuleOf(a, Now) != SelectionRule.Priority))
            {
                return false;
            }
            // Ties: among accounts equal on the rule, the lowest priority number, then the least recently used.
            var tied = eligible.Where(a => AccountSelector.RuleOf(a, Now) == selection.Rule
                && (selection.Rule != SelectionRule.WeeklyResetSoonest || RankingReset(a) == RankingReset(chosen))).ToList();
            if (tied.Any(a => a.Priority < chosen.Priority))
            {
                return false;
            }
            var lastUsed = (PoolAccount a) => a.LastUsedAt ?? DateTimeOffset.MinValue;
            return !tied.Any(a => a.Priority == chosen.Priority && lastUsed(a) < lastUsed(chosen));
        });
    }

    [Fact]
    public void TheReserveServesItsModel_OnlyWhenNoAccountHasOrdinaryQuotaForIt()
    {
        GenPool.Sample(pool =>
        {
            var demand = new ModelDemand(Luna, MaySwitchToReserve: true);
            var selection = AccountSelector.Select(pool, null, null, Now, demand);
            if (selection is null || selection.Route.UpstreamModel is null)
            {
                return selection is null || selection.Route == MeterRoute.Ordinary;
            }
            // Switched to the reserve: nobody had ordinary quota, and the chosen reserve allows the model and is not blocked.
            var reserve = selection.Route.Reserve!;
            return selection.Route.UpstreamModel == ReserveModel && reserve.Model == Luna && !reserve.AsOf(Now).IsExhausted
                && !pool.Any(a => AccountSelector.IsEligible(a, Now, new HashSet<string>()))
                && !selection.Account.Blocks.Any(b => b.Until > Now && (b.Meter == reserve.Key || MeterKeys.IsAccountWide(b.Meter)));
        });
    }

    [Fact]
    public void BlocksStopOnlyTheRequestsTheirMeterPaysFor()
    {
        GenAccount.Sample(account =>
        {
            var pool = new List<PoolAccount> { account };
            var ordinary = Route(pool, account, ModelDemand.Any, new HashSet<string>()) is not null;
            var reserve = Route(pool, account, new ModelDemand(ReserveModel), new HashSet<string>()) is not null;
            var blocks = account.Blocks.Where(b => b.Until > Now).ToList();
            var usable = account.Enabled && !account.ReauthRequired;
            // An account-wide block stops everything; a reserve's block never stops ordinary requests, nor an ordinary block the reserve.
            return (!blocks.Any(b => MeterKeys.IsAccountWide(b.Meter)) || (!ordinary && !reserve))
                && (!ordinary || !blocks.Any(b => !MeterKeys.IsModelScoped(b.Meter)))
                && (ordinary || !usable || blocks.Any(b => !MeterKeys.IsModelScoped(b.Meter)) || account.Usage!.Ordinary.Any(m => m.AsOf(Now).IsExhausted));
        });
    }

    [Fact]
    public void AnAccountSpentOnItsOrdinaryMeters_StaysEligibleForTheModelItsReserveAllows()
    {
        var spent = new PoolAccount
        {
            Id = "acc_reserve",
            Usage = UsageMeters.Snapshot([Window(MeterKind.Weekly, 100, TimeSpan.FromDays(7), Now.AddDays(2)), Reserve(24)], Now),
            Blocks = [new MeterBlock("weekly", Now.AddDays(2), "usage_limit_reached")],
        };

        var luna = AccountSelector.Select([spent], null, null, Now, new ModelDemand(Luna, MaySwitchToReserve: true));
        var asked = AccountSelector.Select([spent], null, null, Now, new ModelDemand(ReserveModel));
        var other = AccountSelector.Select([spent], null, null, Now, new ModelDemand("gpt-5.5", MaySwitchToReserve: true));
        var cannotSwitch = AccountSelector.Select([spent], null, null, Now, new ModelDemand(Luna));

        Assert.Equal(("reserve:gpt-reserve", ReserveModel), (luna!.Route.MeterKey, luna.Route.UpstreamModel));
        Assert.Contains("served by its reserve gpt-reserve (gpt-5.6-luna) as gpt-reserve", luna.Explanation);
        Assert.Equal(("reserve:gpt-reserve", (string?)null), (asked!.Route.MeterKey, asked.Route.UpstreamModel));
        Assert.Null(other);
        Assert.Null(cannotSwitch);
        Assert.Equal(Now.AddDays(2), AccountSelector.Unavailable([spent], Now, new ModelDemand("gpt-5.5")).RetryAt);
    }

    [Fact]
    public void Select_IsDeterministic_WhateverTheOrderOfThePool()
    {
        GenPool.Select(GenDemand, Gen.Int).Sample((pool, demand, seed) =>
        {
            var shuffled = pool.OrderBy(_ => new Random(seed).Next()).ToList();
            var a = AccountSelector.Select(pool, new HashSet<string>(), null, Now, demand);
            var b = AccountSelector.Select(shuffled, new HashSet<string>(), null, Now, demand);
            return a?.Account.Id == b?.Account.Id && a?.Route == b?.Route;
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
    public void NothingEligible_RetryAtIsWhenTheFirstAccountCouldServeAgain()
    {
        GenPool.Select(GenDemand).Sample((pool, demand) =>
        {
            if (AccountSelector.Select(pool, null, null, Now, demand) is not null)
            {
                return true;
            }
            var retryAt = AccountSelector.Unavailable(pool, Now, demand).RetryAt;
            // At the time named, some account can serve the demand again (nothing else changed meanwhile).
            return retryAt is null || (retryAt > Now && AccountSelector.Select(pool, null, null, retryAt.Value.AddSeconds(1), demand) is not null);
        });
    }

    [Fact]
    public void AMeterWhoseResetHasPassed_CountsAsEmpty()
    {
        GenPool.Sample(pool =>
        {
            // An instant after every reset in the pool has passed, every meter has started over.
            var later = (pool.SelectMany(a => a.Usage?.Meters ?? []).Max(m => m.ResetsAt) ?? Now).AddSeconds(1);
            return pool.All(a => a.Usage is not { } usage || !usage.Ordinary.Any()
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
            Usage = UsageMeters.Snapshot([Window(MeterKind.Weekly, 100, TimeSpan.FromDays(7), Now.AddMinutes(-1))], Now.AddDays(-7)),
        };
        var busy = new PoolAccount
        {
            Id = "acc_busy",
            Priority = 0,
            Usage = UsageMeters.Snapshot([Window(MeterKind.Weekly, 40, TimeSpan.FromDays(7), Now.AddDays(3))], Now),
        };

        var selection = AccountSelector.Select([busy, stale], null, null, Now);

        Assert.Equal(("acc_stale", SelectionRule.Untouched), (selection!.Account.Id, selection.Rule));
    }

    [Fact]
    public void CreditOnlyAccount_IsUntouchedOnlyUntilItSpends_ThenRanksByItsBudgetReset()
    {
        var fresh = Credits("acc_fresh", 0, Now.AddDays(20));
        var spending = Credits("acc_spending", 30, Now.AddDays(3));
        var weekly = new PoolAccount { Id = "acc_weekly", Usage = UsageMeters.Snapshot([Window(MeterKind.Weekly, 10, TimeSpan.FromDays(7), Now.AddDays(5))], Now) };

        var first = AccountSelector.Select([spending, weekly, fresh], null, null, Now);
        var second = AccountSelector.Select([spending, weekly], null, null, Now);

        Assert.Equal(("acc_fresh", SelectionRule.Untouched), (first!.Account.Id, first.Rule));
        Assert.Contains("untouched on its credit budget", first.Explanation);
        Assert.Equal(("acc_spending", SelectionRule.WeeklyResetSoonest), (second!.Account.Id, second.Rule));
        Assert.Contains("credit budget resets soonest", second.Explanation);
    }

    private static MeterRoute? Route(List<PoolAccount> pool, PoolAccount account, ModelDemand demand, IReadOnlySet<string> excluded) =>
        account.Enabled && !account.ReauthRequired && !excluded.Contains(account.Id)
            ? MeterRoutes.RouteFor(account, demand, MeterRoutes.NamesReserve(pool, demand.Model), Now)
            : null;

    private static DateTimeOffset? RankingReset(PoolAccount account)
    {
        var usage = UsageMeters.AsOf(account.Usage, Now);
        var ordinary = usage?.Ordinary.ToList() ?? [];
        return (ordinary.Find(m => m.Kind == MeterKind.Weekly)
            ?? ordinary.Where(m => m.Kind != MeterKind.FiveHour).OrderByDescending(m => m.Window ?? TimeSpan.MaxValue).FirstOrDefault())?.ResetsAt;
    }

    private static UsageMeter Window(MeterKind kind, double used, TimeSpan length, DateTimeOffset reset) =>
        new() { Kind = kind, UsedPercent = used, Window = length, ResetsAt = reset };

    private static UsageMeter Reserve(double used) => new()
    {
        Kind = MeterKind.Reserve,
        UsedPercent = used,
        Window = TimeSpan.FromDays(7),
        ResetsAt = Now.AddDays(6),
        LimitName = ReserveModel,
        Model = Luna,
    };

    private static PoolAccount Credits(string id, double used, DateTimeOffset reset) => new()
    {
        Id = id,
        Usage = UsageMeters.Snapshot([new UsageMeter { Kind = MeterKind.CreditBudget, UsedPercent = used, CreditLimit = 100, CreditsUsed = (decimal)used, ResetsAt = reset }], Now),
    };
}
