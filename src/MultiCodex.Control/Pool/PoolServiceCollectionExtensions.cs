using MultiCodex.Control.WebSocketSessions;

namespace MultiCodex.Control.Pool;

internal static class PoolServiceCollectionExtensions
{
    /// <summary>The pool the Edges lease from: its pushed view, the reports that come back (with the Edges' open WebSockets), and stickiness.</summary>
    public static IServiceCollection AddPool(this IServiceCollection services) =>
        services.AddSingleton<SessionAffinity>()
            .AddSingleton<PoolFeed>()
            .AddSingleton<PoolReportIntake>()
            .AddSingleton<WebSocketSessionDirectory>()
            .AddHostedService<BlockHousekeeping>();
}
