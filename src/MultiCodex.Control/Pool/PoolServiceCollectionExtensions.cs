namespace MultiCodex.Control.Pool;

internal static class PoolServiceCollectionExtensions
{
    /// <summary>The pool the Edges lease from: its pushed view, the reports that come back, stickiness and the request log.</summary>
    public static IServiceCollection AddPool(this IServiceCollection services) =>
        services.AddSingleton<SessionAffinity>()
            .AddSingleton<RequestLog>()
            .AddSingleton<PoolFeed>()
            .AddSingleton<PoolReportIntake>()
            .AddHostedService<BlockHousekeeping>();
}
