namespace MultiCodex.Control.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// The accounts (accounts.json) and their sign-ins. The flusher is registered with them, before the features
    /// that change accounts: hosted services stop in reverse order, so it writes the last deferred changes after those
    /// features have stopped.
    /// </summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services) =>
        services.AddSingleton<AccountStore>()
            .AddSingleton<AccountSignIns>()
            .AddHostedService<AccountStoreFlusher>();
}
