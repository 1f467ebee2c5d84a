using MultiCodex.Control.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace MultiCodex.Edge.Leasing;

/// <summary>Registers the Edge's gRPC clients of Control (h2c on <c>CONTROL_URL</c>) and the wrapper that calls them.</summary>
public static class ControlClientsServiceCollectionExtensions
{
    public static IServiceCollection AddControlClients(this IServiceCollection services, EdgeOptions options)
    {
        services.AddGrpcClient<HealthClient>(o => o.Address = options.ControlUrl);
        services.AddGrpcClient<LeaseService.LeaseServiceClient>(o => o.Address = options.ControlUrl);
        services.AddGrpcClient<ApiKeyService.ApiKeyServiceClient>(o => o.Address = options.ControlUrl);
        services.AddGrpcClient<AccountService.AccountServiceClient>(o => o.Address = options.ControlUrl);
        services.AddSingleton<ControlClient>();
        return services;
    }
}
