using Grpc.Core;
using Grpc.Health.V1;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace MultiCodex.Edge.Health;

/// <summary><c>/healthz</c>: the Edge process answers. <c>/readyz</c>: the Edge can reach a serving Control.</summary>
internal static class HealthEndpoints
{
    private static readonly TimeSpan ControlProbeTimeout = TimeSpan.FromSeconds(2);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok\n"));
        app.MapGet("/readyz", async (HealthClient control, TimeProvider time, CancellationToken cancellationToken) =>
        {
            try
            {
                var reply = await control.CheckAsync(new HealthCheckRequest(),
                    deadline: time.GetUtcNow().UtcDateTime.Add(ControlProbeTimeout), cancellationToken: cancellationToken);
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                    ? Results.Text("ready\n")
                    : Results.Text($"control is {reply.Status}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (RpcException e)
            {
                return Results.Text($"control unreachable: {e.StatusCode}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }
}
