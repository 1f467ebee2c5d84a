namespace MultiCodex.Edge.ClientKeys;

/// <summary>Registers the client-key check of /v1.</summary>
public static class ClientKeysServiceCollectionExtensions
{
    /// <summary>
    /// Eager state: the gate is also a hosted service that follows Control's key digests from start-up, so the
    /// first /v1 request finds them loaded.
    /// </summary>
    public static IServiceCollection AddClientKeys(this IServiceCollection services)
    {
        services.AddSingleton<ClientKeyGate>();
        services.AddHostedService(sp => sp.GetRequiredService<ClientKeyGate>());
        return services;
    }
}
