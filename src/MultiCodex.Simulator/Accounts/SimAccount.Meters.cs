using MultiCodex.Simulator.Accounts;

namespace MultiCodex.Simulator;

/// <summary>The usage shapes beyond two windows (docs/upstream-protocol.md §8): a monthly credit budget instead of
/// windows, a reserve meter for one model, and workspace limits.</summary>
public sealed partial class SimAccount
{
    private CreditBudget? _budget;
    private UsageWindow? _reserve;
    private string _reserveModel = "";
    private RateLimitReachedKind? _workspaceLimit;

    /// <summary>Credits one completed response spends from a credit budget. Default 1.</summary>
    public decimal CreditsPerResponse { get; set; } = 1;

    /// <summary>A workspace-level limit in force (e.g. <see cref="RateLimitReachedKind.WorkspaceMemberCreditsDepleted"/>):
    /// ordinary requests get 429 with that kind until it is cleared (set null). Its reset is <see cref="WorkspaceLimitResetsAt"/>.</summary>
    public RateLimitReachedKind? WorkspaceLimit
    {
        get
        {
            lock (_gate)
            {
                return _workspaceLimit;
            }
        }

        set
        {
            lock (_gate)
            {
                _workspaceLimit = value;
            }
        }
    }

    /// <summary>When a <see cref="WorkspaceLimit"/> says it resets (<c>resets_at</c>). Default: one day after it was read.</summary>
    public DateTimeOffset? WorkspaceLimitResetsAt { get; set; }

    /// <summary>Makes this a credit-only account (Business / Enterprise under spend controls): <c>rate_limit: null</c> and a
    /// monthly budget of <paramref name="monthlyLimit"/> credits, of which <paramref name="used"/> are spent, resetting at
    /// <paramref name="resetAt"/> (default 30 days from now). Spent out, it answers 429 <c>spend_control_reached</c>.</summary>
    public void UseCreditBudget(decimal monthlyLimit, decimal used = 0, DateTimeOffset? resetAt = null)
    {
        lock (_gate)
        {
            _budget = new CreditBudget(monthlyLimit, resetAt ?? _state.Now.Add(CreditBudget.Period)) { Used = used };
        }
    }

    /// <summary>Gives the account a reserve meter served as <paramref name="normalModelSlug"/> under the model id
    /// <see cref="ReserveModel"/>, with its own weekly window at <paramref name="usedPercent"/>.</summary>
    public void EnableReserve(string normalModelSlug = "gpt-5.6-luna", double usedPercent = 0, DateTimeOffset? resetAt = null)
    {
        lock (_gate)
        {
            _reserveModel = normalModelSlug;
            _reserve = new UsageWindow(WeekSeconds, resetAt ?? _state.Now.AddSeconds(WeekSeconds)) { UsedPercent = usedPercent };
        }
    }

    /// <summary>Sets the reserve meter's window (after <see cref="EnableReserve"/>).</summary>
    public void SetReserveUsage(double usedPercent, DateTimeOffset? resetAt = null)
    {
        lock (_gate)
        {
            var reserve = _reserve ?? throw new InvalidOperationException("EnableReserve first.");
            reserve.RollOver(_state.Now);
            reserve.UsedPercent = usedPercent;
            if (resetAt is { } at)
            {
                reserve.ResetAt = at;
            }
        }
    }

    /// <summary>The model id that the reserve meter serves: <c>gpt-reserve</c>.</summary>
    public static string ReserveModel => Backend.ModelCatalog.ReserveModel;

    private UsageSnapshot WithMeters(UsageSnapshot windows, DateTimeOffset now)
    {
        _budget?.RollOver(now);
        _reserve?.RollOver(now);
        return windows with
        {
            Budget = _budget?.Snapshot(now),
            Reserve = _reserve is { } reserve ? new ReserveSnapshot(_reserveModel, reserve.Snapshot(now)) : null,
            WorkspaceLimit = _workspaceLimit,
        };
    }

    /// <summary>Charges the reserve or the budget; false when the ordinary windows pay instead.</summary>
    private bool SpendMeters(bool onReserve, DateTimeOffset now)
    {
        var cost = PrimaryPercentPerResponse ?? _state.Options.PrimaryPercentPerResponse;
        if (onReserve && _reserve is { } reserve)
        {
            reserve.RollOver(now);
            reserve.UsedPercent = Math.Min(100, reserve.UsedPercent + cost);
            return true;
        }

        if (_budget is { } budget)
        {
            budget.RollOver(now);
            budget.Used = Math.Min(budget.Limit, budget.Used + CreditsPerResponse);
            return true;
        }

        return false;
    }
}
