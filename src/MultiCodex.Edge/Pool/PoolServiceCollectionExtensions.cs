using System.Security.Cryptography;
using MultiCodex.Control.V1;

namespace MultiCodex.Edge.Pool;

/// <summary>This Edge process's identity towards Control: report numbers count per instance.</summary>
internal sealed class EdgeIdentity
{
    public string Id { get; } = "edge_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}

internal static class PoolServiceCollectionExtensions
{
    /// <summary>
    /// The account pool: Control's view followed over one long-lived stream, leases from it, and reports back in
    /// batches. The channel pings Control over HTTP/2 so a connection that died without a word is noticed.
    /// </summary>
    public static IServiceCollection AddAccountPool(this IServiceCollection services, EdgeOptions options)
    {
        services.AddGrpcClient<PoolService.PoolServiceClient>(o => o.Address = options.ControlUrl)
            // The first view carries every session binding; it may be larger than gRPC's 4 MB default.
            .ConfigureChannel(channel => channel.MaxReceiveMessageSize = null)
            .ConfigurePrimaryHttpMessageHandler(PingingHandler);
        // The reports go out already encoded (ReportBatch), on a client of their own.
        services.AddGrpcClient<EncodedReportsClient>(o => o.Address = options.ControlUrl)
            .ConfigurePrimaryHttpMessageHandler(PingingHandler);
        services.AddSingleton<PoolControlClient>();
        services.AddSingleton<EdgeIdentity>();
        services.AddSingleton(sp => new ReportQueue(options.ReportQueueCapacity, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PoolView>();
        services.AddSingleton<PoolWatcher>().AddHostedService(sp => sp.GetRequiredService<PoolWatcher>());
        services.AddSingleton<ReportSender>().AddHostedService(sp => sp.GetRequiredService<ReportSender>());
        services.AddSingleton<AccountPool>();
        services.AddSingleton<IAccountPool>(sp => sp.GetRequiredService<AccountPool>());
        return services;
    }

    private static SocketsHttpHandler PingingHandler() => new()
    {
        KeepAlivePingDelay = TimeSpan.FromSeconds(15),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        EnableMultipleHttp2Connections = true,
    };
}
