namespace MultiCodex.Edge.Pool;

/// <summary>
/// A local effect that stands in for something Control has not shown yet: a block or live usage this Edge just saw,
/// or a token it just got. It gives way once the view reflects it: after Control acknowledged the report that carries
/// it (<see cref="Sequence"/>) and the view reached the version named in that acknowledgement (<see cref="Awaiting"/>).
/// </summary>
internal sealed class LocalEffect<T>(T value, ulong sequence)
{
    public T Value { get; } = value;

    /// <summary>The report that carries the effect to Control; 0 for one Control itself handed out (a refreshed token).</summary>
    public ulong Sequence { get; } = sequence;

    /// <summary>The view (Control process and version) that reflects the effect, once Control said which.</summary>
    public (string Epoch, long Version)? Awaiting { get; set; }
}

/// <summary>An access token Control refreshed for this Edge after a 401.</summary>
internal sealed record LocalToken(string AccessToken, DateTimeOffset? ExpiresAt)
{
    // The token must not reach a log line through the record's generated ToString.
    public override string ToString() => $"a token expiring {ExpiresAt:u}";
}

/// <summary>
/// One account on this Edge: what Control's view says, what this Edge knows better for now (its local effects), and
/// what only this Edge knows (its last lease, its leases in flight). <see cref="Effective"/> is what the rules see.
/// </summary>
internal sealed class LeaseSlot(string accountId)
{
    public string AccountId { get; } = accountId;

    /// <summary>The account as Control's view has it.</summary>
    public MultiCodex.Pool.PoolAccount View { get; private set; } = new() { Id = accountId };

    public string AccessToken { get; private set; } = "";

    public string ChatGptAccountId { get; private set; } = "";

    /// <summary>The quota blocks this Edge applied at once, by meter.</summary>
    public Dictionary<string, LocalEffect<MultiCodex.Pool.MeterBlock>> Blocks { get; } = new(StringComparer.Ordinal);

    public LocalEffect<MultiCodex.Pool.AccountUsageSnapshot>? Usage { get; set; }

    public LocalEffect<LocalToken>? Token { get; set; }

    /// <summary>After a 401 that could not be cured (Control away, or the refresh failed): not leased before this time.</summary>
    public DateTimeOffset? RefusedUntil { get; set; }

    /// <summary>When this Edge last leased the account (strictly increasing across accounts).</summary>
    public DateTimeOffset? LeasedAt { get; set; }

    public int InFlight { get; set; }

    /// <summary>Where <see cref="Effective"/> sits in the list the rules read.</summary>
    public int Index { get; set; }

    /// <summary>The view with the local effects applied; rebuilt by <see cref="Rebuild"/> whenever one of them changes.</summary>
    public MultiCodex.Pool.PoolAccount Effective { get; private set; } = new() { Id = accountId };

    /// <summary>The token a lease carries: a refreshed one until the view has it.</summary>
    public string CurrentToken => Token?.Value.AccessToken ?? AccessToken;

    public void Rebuild()
    {
        var view = View;
        var blocks = view.Blocks;
        foreach (var block in Blocks.Values)
        {
            blocks = MultiCodex.Pool.MeterBlocks.With(blocks, block.Value);
        }
        if (RefusedUntil is { } refused)
        {
            blocks = MultiCodex.Pool.MeterBlocks.With(blocks, new MultiCodex.Pool.MeterBlock(MultiCodex.Pool.MeterKeys.Account, refused, "unauthorized"));
        }
        var lastUsed = LeasedAt is { } leased && (view.LastUsedAt is null || leased > view.LastUsedAt) ? leased : view.LastUsedAt;
        Effective = view with
        {
            Blocks = blocks,
            Usage = Usage?.Value ?? view.Usage,
            LastUsedAt = lastUsed,
            // Without a token there is nothing to send upstream.
            ReauthRequired = view.ReauthRequired || CurrentToken.Length == 0,
        };
    }

    /// <summary>
    /// Takes Control's word for the account. Live usage this Edge saw also gives way when the view brings usage
    /// observed at least as late (a probe, another Edge's answer): the freshest word wins.
    /// </summary>
    public void Follow(MultiCodex.Pool.PoolAccount view, string accessToken, string chatGptAccountId)
    {
        if (Usage is { } local && view.Usage is { } fresh && !Equals(fresh, View.Usage) && fresh.ObservedAt >= local.Value.ObservedAt)
        {
            Usage = null;
        }
        View = view;
        AccessToken = accessToken;
        ChatGptAccountId = chatGptAccountId;
    }

    /// <summary>Lets local effects give way once the view reflects them (see <see cref="LocalEffect{T}"/>).</summary>
    public bool Settle(Func<(string Epoch, long Version)?, bool> reflected)
    {
        var changed = false;
        foreach (var (meter, block) in Blocks)
        {
            if (reflected(block.Awaiting))
            {
                Blocks.Remove(meter);
                changed = true;
            }
        }
        if (Usage is { } usage && reflected(usage.Awaiting))
        {
            Usage = null;
            changed = true;
        }
        if (Token is { } token && reflected(token.Awaiting))
        {
            Token = null;
            changed = true;
        }
        return changed;
    }

    /// <summary>Control acknowledged every report up to <paramref name="appliedThrough"/>: the effects they carry await that view.</summary>
    public void Acknowledged(ulong appliedThrough, (string Epoch, long Version) view)
    {
        foreach (var block in Blocks.Values)
        {
            if (block is { Awaiting: null } && block.Sequence <= appliedThrough)
            {
                block.Awaiting = view;
            }
        }
        if (Usage is { Awaiting: null } usage && usage.Sequence <= appliedThrough)
        {
            usage.Awaiting = view;
        }
    }
}
