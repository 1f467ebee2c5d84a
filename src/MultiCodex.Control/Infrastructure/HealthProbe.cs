using Grpc.Health.V1;
using Grpc.Net.Client;

namespace MultiCodex.Control;

/// <summary>Exit code 0 when the Control on this machine reports SERVING over gRPC health, 1 otherwise.</summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync()
    {
        var configured = new Uri(Environment.GetEnvironmentVariable("CONTROL_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:4011");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{configured.Port}");
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(3));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Grpc.Core.RpcException)
        {
            return 1;
        }
    }
}
