namespace MultiCodex.Control.History;

internal static class HistoryServiceCollectionExtensions
{
    /// <summary>The request log and usage samples in DATA_DIR/history.db: one background writer, the queries, retention.</summary>
    public static IServiceCollection AddHistory(this IServiceCollection services) =>
        services.AddSingleton<HistoryDatabase>()
            .AddSingleton<HistoryWriter>()
            .AddHostedService(sp => sp.GetRequiredService<HistoryWriter>())
            .AddHostedService<HistoryPruner>()
            .AddSingleton<RequestQuery>()
            .AddSingleton<UsageFiguresQuery>();
}
