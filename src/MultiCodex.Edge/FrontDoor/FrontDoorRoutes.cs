using Yarp.ReverseProxy.Configuration;

namespace MultiCodex.Edge.FrontDoor;

/// <summary>
/// What the one public port forwards: the admin REST routes and every gRPC / gRPC-Web call go to Control,
/// everything else to the dashboard. The Edge's own endpoints (/v1, /healthz, /readyz) win over these routes.
/// </summary>
internal static class FrontDoorRoutes
{
    private const string Control = "control";
    private const string Dashboard = "dashboard";

    /// <summary>How long a forwarded call to Control may stay silent (watch streams) before it is cut.</summary>
    public static readonly TimeSpan WatchStreamIdleLimit = TimeSpan.FromHours(12);

    public static IReverseProxyBuilder AddFrontDoor(this IServiceCollection services, EdgeOptions options) =>
        services.AddReverseProxy().LoadFromMemory(
            [
                new RouteConfig { RouteId = "admin", ClusterId = Control, Match = new RouteMatch { Path = "/admin/{**rest}" } },
                new RouteConfig
                {
                    // gRPC and gRPC-Web calls are POST /{package.Service}/{Method} with a grpc content type.
                    RouteId = "grpc",
                    ClusterId = Control,
                    Match = new RouteMatch
                    {
                        Path = "/{service}/{method}",
                        Methods = ["POST"],
                        Headers = [new RouteHeader { Name = "Content-Type", Values = ["application/grpc"], Mode = HeaderMatchMode.HeaderPrefix }],
                    },
                },
                new RouteConfig { RouteId = "dashboard", ClusterId = Dashboard, Order = 1000, Match = new RouteMatch { Path = "/{**rest}" } },
            ],
            [
                new ClusterConfig
                {
                    ClusterId = Control,
                    Destinations = new Dictionary<string, DestinationConfig> { ["control"] = new() { Address = options.ControlUrl.ToString() } },
                    // Control serves cleartext HTTP/2 only; YARP turns HTTP/1.1 requests (REST, gRPC-Web) into HTTP/2.
                    HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig
                    {
                        Version = System.Net.HttpVersion.Version20,
                        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                        // WatchAccounts streams stay quiet while nothing changes; YARP's default (100 s) would cut them.
                        ActivityTimeout = WatchStreamIdleLimit,
                    },
                },
                new ClusterConfig
                {
                    ClusterId = Dashboard,
                    Destinations = new Dictionary<string, DestinationConfig> { ["dashboard"] = new() { Address = options.DashboardUrl.ToString() } },
                },
            ]);
}
