namespace MultiCodex.Pool;

/// <summary>A block on one meter of an account: the requests that meter pays for are not sent until <paramref name="Until"/>.</summary>
/// <param name="Meter">The meter it came from (<see cref="MeterKeys"/>): <c>weekly</c>, <c>credits</c>, <c>reserve:gpt-reserve</c>, <c>workspace</c>, …</param>
/// <param name="Until">When it ends by itself.</param>
/// <param name="Reason">The upstream's word for it, for example <c>usage_limit_reached</c> or <c>spend_control_reached</c>.</param>
public sealed record MeterBlock(string Meter, DateTimeOffset Until, string Reason);

/// <summary>Which blocks stop which requests (docs/account-pool.md, "Blocks").</summary>
public static class MeterBlocks
{
    /// <summary>
    /// The block that keeps ordinary requests off the account at <paramref name="now"/> (a block on an ordinary
    /// meter or an account-wide one), the one ending last; null when ordinary requests may go.
    /// </summary>
    public static MeterBlock? Ordinary(IReadOnlyList<MeterBlock> blocks, DateTimeOffset now) =>
        Latest(blocks, now, b => !MeterKeys.IsModelScoped(b.Meter));

    /// <summary>The block that keeps requests paid by the model-scoped meter <paramref name="meterKey"/> off the account, if any.</summary>
    public static MeterBlock? ModelScoped(IReadOnlyList<MeterBlock> blocks, string meterKey, DateTimeOffset now) =>
        Latest(blocks, now, b => b.Meter == meterKey || MeterKeys.IsAccountWide(b.Meter));

    /// <summary>Adds a block, or lengthens the one already on that meter; a shorter one changes nothing.</summary>
    public static IReadOnlyList<MeterBlock> With(IReadOnlyList<MeterBlock> blocks, MeterBlock block)
    {
        var index = IndexOf(blocks, block.Meter);
        if (index >= 0 && blocks[index].Until >= block.Until)
        {
            return blocks;
        }
        var next = blocks.ToList();
        if (index >= 0)
        {
            next[index] = block;
        }
        else
        {
            next.Add(block);
        }
        return next;
    }

    /// <summary>The blocks still in force at <paramref name="now"/> (the same list when none has ended).</summary>
    public static IReadOnlyList<MeterBlock> InForce(IReadOnlyList<MeterBlock> blocks, DateTimeOffset now) =>
        blocks.All(b => b.Until > now) ? blocks : [.. blocks.Where(b => b.Until > now)];

    private static int IndexOf(IReadOnlyList<MeterBlock> blocks, string meter)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Meter == meter)
            {
                return i;
            }
        }
        return -1;
    }

    private static MeterBlock? Latest(IReadOnlyList<MeterBlock> blocks, DateTimeOffset now, Func<MeterBlock, bool> stops)
    {
        MeterBlock? latest = null;
        foreach (var block in blocks)
        {
            if (block.Until > now && stops(block) && (latest is null || block.Until > latest.Until))
            {
                latest = block;
            }
        }
        return latest;
    }
}
