namespace MultiCodex.Control.ApiKeys;

internal static class ApiKeysServiceCollectionExtensions
{
    /// <summary>Client keys: the store (api-keys.json), the reading of their limits, and their pool-wide budget counts.</summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services) =>
        services.AddSingleton<ApiKeyStore>()
            .AddSingleton<KeyLimitsInput>()
            .AddSingleton<KeyBudgetCounters>();
}
