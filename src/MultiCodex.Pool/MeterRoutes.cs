namespace MultiCodex.Pool;

/// <summary>Which meter pays for a request on one account, and the model id to send for it.</summary>
/// <param name="Reserve">The model-scoped meter that pays; null when the ordinary meters (windows, credit budget) do.</param>
/// <param name="UpstreamModel">The model id to send upstream instead of the one asked for; null to send it as asked.</param>
public sealed record MeterRoute(UsageMeter? Reserve, string? UpstreamModel)
{
    /// <summary>The ordinary meters pay, and the request goes as asked.</summary>
    public static readonly MeterRoute Ordinary = new(null, null);

    /// <summary>The key of the meter that pays: the reserve's, or <see cref="MeterKeys.Ordinary"/>.</summary>
    public string MeterKey => Reserve?.Key ?? MeterKeys.Ordinary;
}

/// <summary>What a request asks of the pool.</summary>
/// <param name="Model">The model the client asked for; null when it does not matter (the ordinary meters pay).</param>
/// <param name="MaySwitchToReserve">
/// The caller can send a reserve's own model id (<c>gpt-reserve</c>) in place of the model the reserve serves, so an
/// account whose ordinary quota is spent may still take a request for that model.
/// </param>
/// <param name="AllowedAccountIds">
/// Only these accounts may serve the request (a client key limited to some accounts); null: any. The others are
/// neither eligible nor counted when telling when one is free again.
/// </param>
public sealed record ModelDemand(string? Model, bool MaySwitchToReserve = false, IReadOnlySet<string>? AllowedAccountIds = null)
{
    /// <summary>True when the request may be served by <paramref name="accountId"/>.</summary>
    public bool MayUse(string accountId) => AllowedAccountIds is null || AllowedAccountIds.Contains(accountId);

    /// <summary>Any model: the ordinary meters pay.</summary>
    public static readonly ModelDemand Any = new(Model: null);
}

/// <summary>
/// Per-meter eligibility (docs/account-pool.md, "Meters and models"): a request for a reserve's own model id is paid
/// by that reserve alone; any other request is paid by the ordinary meters, and when those are spent or blocked, by
/// a reserve that serves the model (sending the reserve's model id) if the caller can switch the id.
/// </summary>
public static class MeterRoutes
{
    /// <summary>True when <paramref name="model"/> is a model-scoped limit's own id on some account of the pool (e.g. <c>gpt-reserve</c>).</summary>
    public static bool NamesReserve(IReadOnlyList<PoolAccount> accounts, string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return false;
        }
        foreach (var account in accounts)
        {
            if (account.Usage?.Meters.Any(m => m.Kind == MeterKind.Reserve && m.LimitName == model) == true)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// How the account can serve <paramref name="demand"/> at <paramref name="now"/>, or null when it cannot. The
    /// caller checks the rest of eligibility (enabled, signed in, not excluded). <paramref name="reserveModel"/> says
    /// the model asked for is a reserve's own id (<see cref="NamesReserve"/>).
    /// </summary>
    public static MeterRoute? RouteFor(PoolAccount account, ModelDemand demand, bool reserveModel, DateTimeOffset now)
    {
        var usage = UsageMeters.AsOf(account.Usage, now);
        if (reserveModel)
        {
            return Reserve(account, usage, m => m.LimitName == demand.Model, now) is { } own ? new MeterRoute(own, null) : null;
        }
        if (OrdinaryOpen(account, usage, now))
        {
            return MeterRoute.Ordinary;
        }
        // The ordinary quota is spent: a reserve that serves this very model may take it, under its own model id.
        if (demand.MaySwitchToReserve && !string.IsNullOrEmpty(demand.Model)
            && Reserve(account, usage, m => string.Equals(m.Model, demand.Model, StringComparison.OrdinalIgnoreCase), now) is { } reserve)
        {
            return new MeterRoute(reserve, reserve.LimitName);
        }
        return null;
    }

    /// <summary>
    /// When the account could serve the demand again: the end of the blocks and the resets of the spent meters in
    /// its way (the earlier of the ordinary and the reserve way); null when it can now or nobody knows when.
    /// </summary>
    public static DateTimeOffset? FreeAt(PoolAccount account, ModelDemand demand, bool reserveModel, DateTimeOffset now)
    {
        DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
        DateTimeOffset? free = null;
        if (!reserveModel)
        {
            free = WaitFor(MeterBlocks.Ordinary(account.Blocks, now), account.Usage?.Ordinary ?? [], now);
        }
        foreach (var meter in account.Usage?.Meters ?? [])
        {
            var serves = meter.Kind == MeterKind.Reserve && (reserveModel ? meter.LimitName == demand.Model
                : demand.MaySwitchToReserve && string.Equals(meter.Model, demand.Model, StringComparison.OrdinalIgnoreCase));
            if (serves)
            {
                free = Earliest(free, WaitFor(MeterBlocks.ModelScoped(account.Blocks, meter.Key, now), [meter], now));
            }
        }
        return free > now ? free : null;
    }

    /// <summary>True when neither a block nor a spent ordinary meter keeps ordinary requests off the account.</summary>
    public static bool OrdinaryOpen(PoolAccount account, AccountUsageSnapshot? usageNow, DateTimeOffset now) =>
        MeterBlocks.Ordinary(account.Blocks, now) is null && !(usageNow?.Ordinary.Any(m => m.IsExhausted) ?? false);

    private static UsageMeter? Reserve(PoolAccount account, AccountUsageSnapshot? usageNow, Func<UsageMeter, bool> serves, DateTimeOffset now)
    {
        foreach (var meter in usageNow?.Meters ?? [])
        {
            if (meter.Kind == MeterKind.Reserve && serves(meter) && !meter.IsExhausted && MeterBlocks.ModelScoped(account.Blocks, meter.Key, now) is null)
            {
                return meter;
            }
        }
        return null;
    }

    // The latest of the block's end and the resets of the spent meters; null when a spent meter names no reset.
    private static DateTimeOffset? WaitFor(MeterBlock? block, IEnumerable<UsageMeter> meters, DateTimeOffset now)
    {
        var until = block?.Until ?? now;
        foreach (var meter in meters)
        {
            if (meter.AsOf(now).IsExhausted)
            {
                if (meter.ResetsAt is not { } reset)
                {
                    return null;
                }
                until = reset > until ? reset : until;
            }
        }
        return until;
    }
}
