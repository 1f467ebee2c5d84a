namespace MultiCodex.Edge.ClientKeys;

/// <summary>Registers the client-key check of /v1.</summary>
internal static class ClientKeysServiceCollectionExtensions
{
    /// <summary>
    /// The gate reads the key hashes from the pool's view (<see cref="Pool.PoolView"/>); it is also a hosted service
    /// that says once, when the first view arrives, that /v1 is open because no key exists. The ledger enforces the
    /// keys' limits (<see cref="KeyLedger"/>).
    /// </summary>
    public static IServiceCollection AddClientKeys(this IServiceCollection services)
    {
        services.AddSingleton<ClientKeyGate>();
        services.AddSingleton<KeyLedger>();
        services.AddHostedService(sp => sp.GetRequiredService<ClientKeyGate>());
        return services;
    }
}
