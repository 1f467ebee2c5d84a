namespace MultiCodex.Simulator.Accounts;

/// <summary>A monthly credit budget (Business / Enterprise under group spend controls): <c>rate_limit: null</c> in
/// <c>wham/usage</c> and the budget under <c>spend_control.individual_limit</c>. The owning account serializes access.</summary>
internal sealed class CreditBudget(decimal limit, DateTimeOffset resetAt)
{
    public static readonly TimeSpan Period = TimeSpan.FromDays(30);

    public decimal Limit { get; set; } = limit;

    public decimal Used { get; set; }

    public DateTimeOffset ResetAt { get; set; } = resetAt;

    public void RollOver(DateTimeOffset now)
    {
        while (now >= ResetAt)
        {
            Used = 0;
            ResetAt += Period;
        }
    }

    public CreditBudgetSnapshot Snapshot(DateTimeOffset now) => new(
        Limit,
        Used,
        ResetAt,
        Math.Max(0, (long)Math.Ceiling((ResetAt - now).TotalSeconds)));
}
