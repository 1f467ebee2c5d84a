namespace MultiCodex.Control.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    public static IServiceCollection AddAccounts(this IServiceCollection services) =>
        services.AddSingleton<AccountStore>().AddSingleton<AccountSignIns>();
}
