namespace MultiCodex.Simulator.Accounts;

/// <summary>The accounts of one fake, in the order they were added.</summary>
internal sealed class AccountRegistry
{
    private readonly Lock _gate = new();
    private readonly List<SimAccount> _accounts = [];

    public void Add(SimAccount account)
    {
        lock (_gate)
        {
            if (_accounts.Any(a => a.ChatGptAccountId == account.ChatGptAccountId && a.UserId == account.UserId))
            {
                throw new InvalidOperationException($"Account {account.ChatGptAccountId} / {account.UserId} already exists.");
            }

            _accounts.Add(account);
        }
    }

    public IReadOnlyList<SimAccount> All()
    {
        lock (_gate)
        {
            return _accounts.ToList();
        }
    }

    public SimAccount? FindByEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        lock (_gate)
        {
            return _accounts.FirstOrDefault(a => string.Equals(a.Email, email.Trim(), StringComparison.OrdinalIgnoreCase));
        }
    }
}
