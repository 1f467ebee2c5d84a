using System.Collections.Frozen;
using Google.Api;
using Google.Protobuf.Reflection;
using MultiCodex.Control.V1;

namespace MultiCodex.Hosting;

/// <summary>
/// The gRPC methods a browser or a remote client may call: what the front door forwards and what Control serves
/// over gRPC-Web. A method is public when its service is one of the admin services below and it has an HTTP rule
/// (it is also served at <c>/admin/*</c>), plus server reflection and health. Everything else is internal by
/// default: PoolService (the Edge's live view of the pool, which carries upstream access tokens and the client-key
/// hashes, and the outcome reports that can block an account), and any service or method added later without an
/// HTTP rule, are callable only with native gRPC on Control's own port (with the admin token), as the Edge calls them.
/// </summary>
public static class PublicGrpcApi
{
    private static readonly ServiceDescriptor[] AdminServices =
    [
        AccountService.Descriptor,
        OAuthService.Descriptor,
        UsageService.Descriptor,
        ApiKeyService.Descriptor,
        EventService.Descriptor,
        WebhookService.Descriptor,
        WebSocketSessionService.Descriptor,
    ];

    // Reflection returns schemas, never data, and still needs the admin token; it lets `buf curl` work through the
    // front door. Health says SERVING or not, for probes that speak gRPC.
    private static readonly string[] Infrastructure =
    [
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
    ];

    private static readonly FrozenSet<string> Paths = AdminServices
        .SelectMany(service => service.Methods)
        .Where(method => method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is not null)
        .Select(method => $"/{method.Service.FullName}/{method.Name}")
        .Concat(Infrastructure)
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every public method as its HTTP path, <c>/package.Service/Method</c>.</summary>
    public static IReadOnlyCollection<string> Methods => Paths;

    /// <summary>True when <paramref name="path"/> (<c>/package.Service/Method</c>, case-sensitive as in gRPC) is public.</summary>
    public static bool IsPublic(string? path) => path is not null && Paths.Contains(path);
}
