namespace MultiCodex.Control.Pool;

internal static class PoolServiceCollectionExtensions
{
    /// <summary>The pool the Edges lease from: its pushed view, the reports that come back, and stickiness.</summary>
    public static IServiceCollection AddPool(this IServiceCollection services) =>
        services.AddSingleton<SessionAffinity>()
            .AddSingleton<PoolFeed>()
            .AddSingleton<PoolReportIntake>()
            .AddHostedService<BlockHousekeeping>();
}
