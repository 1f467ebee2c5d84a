using System.Globalization;
using System.Text.Json.Serialization;

namespace MultiCodex.Pool;

/// <summary>What a meter measures (docs/account-pool.md, "Meters").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MeterKind>))]
public enum MeterKind
{
    /// <summary>The ordinary limit's 5-hour rolling window.</summary>
    FiveHour,

    /// <summary>The ordinary limit's weekly window.</summary>
    Weekly,

    /// <summary>An ordinary window of another length (a day, a month, …), kept with its length.</summary>
    OtherWindow,

    /// <summary>A monthly credit budget (<c>spend_control.individual_limit</c>, Business / Enterprise seats).</summary>
    CreditBudget,

    /// <summary>A limit that serves one model (an <c>additional_rate_limits</c> entry with a <c>normal_model_slug</c>, such as <c>gpt-reserve</c>).</summary>
    Reserve,

    /// <summary>Another <c>additional_rate_limits</c> entry whose model is not named: shown, never used to choose.</summary>
    OtherLimit,
}

/// <summary>
/// One thing that limits an account, as last observed: a window of the ordinary limit (classified by its length,
/// never by its slot in the payload), the monthly credit budget, or a model-scoped limit such as the reserve.
/// </summary>
public sealed record UsageMeter
{
    public required MeterKind Kind { get; init; }

    /// <summary>0–100: of the window, of the budget, or of the model-scoped limit.</summary>
    public double UsedPercent { get; init; }

    /// <summary>The window's length (for a model-scoped limit, its window's); null for a credit budget.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>When the meter starts over, if known.</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>A credit budget's limit for its period (credits, as the upstream counts them).</summary>
    public decimal? CreditLimit { get; init; }

    /// <summary>A credit budget's credits spent in this period.</summary>
    public decimal? CreditsUsed { get; init; }

    /// <summary>A model-scoped limit's name, which is also the model id that spends it (<c>gpt-reserve</c>).</summary>
    public string? LimitName { get; init; }

    /// <summary>The model a reserve is served as (<c>normal_model_slug</c>, e.g. <c>gpt-5.6-luna</c>).</summary>
    public string? Model { get; init; }

    /// <summary>The upstream said this meter allows no more requests (<c>allowed: false</c>, <c>spend_control.reached</c>).</summary>
    public bool LimitReached { get; init; }

    /// <summary>
    /// The meter's stable key, the same in the API, the dashboard and stored samples: <c>5h</c>, <c>weekly</c>,
    /// <c>window:1440m</c> (other windows, by length in minutes), <c>credits</c>, <c>reserve:gpt-reserve</c>,
    /// <c>limit:&lt;name&gt;</c>.
    /// </summary>
    [JsonIgnore]
    public string Key => Kind switch
    {
        MeterKind.FiveHour => MeterKeys.FiveHour,
        MeterKind.Weekly => MeterKeys.Weekly,
        MeterKind.OtherWindow => MeterKeys.OtherWindow(Window ?? TimeSpan.Zero),
        MeterKind.CreditBudget => MeterKeys.Credits,
        MeterKind.Reserve => MeterKeys.Reserve(LimitName ?? ""),
        _ => MeterKeys.Limit(LimitName ?? ""),
    };

    /// <summary>True for the meters that pay for ordinary requests: the windows and the credit budget.</summary>
    [JsonIgnore]
    public bool IsOrdinary => Kind is MeterKind.FiveHour or MeterKind.Weekly or MeterKind.OtherWindow or MeterKind.CreditBudget;

    /// <summary>True when the meter allows no more requests at the time it describes.</summary>
    [JsonIgnore]
    public bool IsExhausted => LimitReached || UsedPercent >= 100;

    /// <summary>The meter as it stands at <paramref name="now"/>: once its reset has passed it has started over (0 %, allowed, next reset unknown).</summary>
    public UsageMeter AsOf(DateTimeOffset now) =>
        ResetsAt is { } reset && reset <= now
            ? this with { UsedPercent = 0, CreditsUsed = CreditsUsed is null ? null : 0, LimitReached = false, ResetsAt = null }
            : this;
}

/// <summary>The stable meter keys, and which requests a block on each one stops (docs/account-pool.md, "Blocks").</summary>
public static class MeterKeys
{
    public const string FiveHour = "5h";
    public const string Weekly = "weekly";
    public const string Credits = "credits";

    /// <summary>A block on the ordinary limit when the answer did not say which window ran out.</summary>
    public const string Ordinary = "ordinary";

    /// <summary>A workspace-level stop (credits depleted, usage limit reached): every model, the reserve included.</summary>
    public const string Workspace = "workspace";

    /// <summary>A block on the whole account for a reason that is not a meter (request-rate limiting, a plan without Codex).</summary>
    public const string Account = "account";

    public static string OtherWindow(TimeSpan length) => "window:" + ((long)Math.Round(length.TotalMinutes)).ToString(CultureInfo.InvariantCulture) + "m";

    public static string Reserve(string limitName) => "reserve:" + limitName;

    public static string Limit(string limitName) => "limit:" + limitName;

    /// <summary>True when a block on <paramref name="meter"/> stops every request to the account, whatever the model.</summary>
    public static bool IsAccountWide(string meter) => meter is Workspace or Account;

    /// <summary>True when a block on <paramref name="meter"/> stops only the requests its model-scoped limit pays for.</summary>
    public static bool IsModelScoped(string meter) => meter.StartsWith("reserve:", StringComparison.Ordinal) || meter.StartsWith("limit:", StringComparison.Ordinal);
}
