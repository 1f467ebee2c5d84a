namespace MultiCodex.Control.Leases;

internal static class LeasesServiceCollectionExtensions
{
    public static IServiceCollection AddLeases(this IServiceCollection services) =>
        services.AddSingleton<SessionAffinity>()
            .AddSingleton<LeaseLedger>()
            .AddSingleton<RequestLog>()
            .AddSingleton<LeaseAllocator>()
            .AddHostedService<LeaseHousekeeping>();
}
