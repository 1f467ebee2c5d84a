using MultiCodex.Pool;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// The usage headers a quota answer carries (MultiCodex.Pool.QuotaHeaders): what the pool knows of an account's
/// windows, written as the upstream writes them, so that the pool's own reader reads the same windows back.
/// </summary>
public sealed class QuotaHeadersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TwoWindows_AreWrittenShortestFirst_AndReadBackAsTheSameMeters()
    {
        var account = Account(Window(TimeSpan.FromDays(7), 70, Now.AddDays(3)), Window(TimeSpan.FromHours(5), 42.5, Now.AddHours(2)));

        var headers = QuotaHeaders.Of(account, Now).ToDictionary(h => h.Key, h => h.Value);
        var read = UsageMeters.FromHeaders(headers, Now)!;

        Assert.Equal(("42.5", "300", "10080"), (headers["x-codex-primary-used-percent"], headers["x-codex-primary-window-minutes"], headers["x-codex-secondary-window-minutes"]));
        Assert.Equal("7200", headers["x-codex-primary-reset-after-seconds"]);
        Assert.Equal(account.Usage!.Meters.OrderBy(m => m.Window).Select(m => (m.Kind, m.UsedPercent, m.ResetsAt)), read.Meters.Select(m => (m.Kind, m.UsedPercent, m.ResetsAt)));
    }

    [Fact]
    public void AWindowUnderABlock_IsShownSpent_UntilTheBlockEnds_AndOneWhoseResetPassed_AsStartedOver()
    {
        var account = Account(Window(TimeSpan.FromHours(5), 40, Now.AddMinutes(30)), Window(TimeSpan.FromDays(7), 90, Now.AddMinutes(-1))) with
        {
            Blocks = [new MeterBlock("5h", Now.AddHours(1), "usage_limit_reached")],
        };

        var headers = QuotaHeaders.Of(account, Now).ToDictionary(h => h.Key, h => h.Value);

        Assert.Equal(("100", Now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (headers["x-codex-primary-used-percent"], headers["x-codex-primary-reset-at"]));
        Assert.Equal("0", headers["x-codex-secondary-used-percent"]);
        Assert.False(headers.ContainsKey("x-codex-secondary-reset-at"));
    }

    [Fact]
    public void NothingKnown_NothingWritten()
    {
        Assert.Empty(QuotaHeaders.Of(null, Now));
        Assert.Empty(QuotaHeaders.Of(new PoolAccount { Id = "unknown" }, Now));
        // A credit budget is no window: the pool tracks no bought credits to report, so it writes nothing rather than a guess.
        Assert.Empty(QuotaHeaders.Of(Account(new UsageMeter { Kind = MeterKind.CreditBudget, UsedPercent = 100, ResetsAt = Now.AddDays(9) }), Now));
    }

    private static PoolAccount Account(params UsageMeter[] meters) =>
        new() { Id = "a", Usage = new AccountUsageSnapshot { Meters = meters, ObservedAt = Now } };

    private static UsageMeter Window(TimeSpan length, double used, DateTimeOffset resetsAt) => UsageMeters.Window(used, length, resetsAt)!;
}
