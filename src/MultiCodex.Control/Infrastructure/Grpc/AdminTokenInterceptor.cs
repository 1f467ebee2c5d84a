using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>
/// Requires <c>x-admin-token</c> on every call when ADMIN_TOKEN is set. gRPC, gRPC-Web and the transcoded
/// REST routes all pass through gRPC interceptors, so this is the one check for all three.
/// </summary>
internal sealed class AdminTokenInterceptor(IOptions<ControlOptions> options) : Interceptor
{
    public const string HeaderName = "x-admin-token";

    // Health checks answer without a token so that orchestrators and the Edge's /readyz can probe.
    private const string HealthServicePrefix = "/grpc.health.v1.Health/";

    private readonly byte[]? _expectedHash = options.Value.AdminToken is { } token ? Hash(token) : null;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (_expectedHash is null || context.Method.StartsWith(HealthServicePrefix, StringComparison.Ordinal))
        {
            return;
        }
        var presented = context.RequestHeaders.GetValue(HeaderName);
        if (string.IsNullOrEmpty(presented))
        {
            throw ControlErrors.Unauthenticated($"Missing {HeaderName} header: this server requires the admin token (ADMIN_TOKEN).");
        }
        // Hashing first makes the comparison constant-time whatever the lengths.
        if (!CryptographicOperations.FixedTimeEquals(Hash(presented), _expectedHash))
        {
            throw ControlErrors.Unauthenticated($"Wrong {HeaderName}: it does not match the server's ADMIN_TOKEN.");
        }
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
