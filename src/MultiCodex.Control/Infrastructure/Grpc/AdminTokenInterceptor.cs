using Grpc.Core;
using Grpc.Core.Interceptors;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>
/// Requires <c>x-admin-token</c> on every call when ADMIN_TOKEN is set. gRPC, gRPC-Web and the transcoded
/// REST routes all pass through gRPC interceptors, so this is the one check for all three. Wrong tokens count
/// against the caller's address (<see cref="AdminTokenVerifier"/>): too many, and it gets RESOURCE_EXHAUSTED
/// (HTTP 429 with Retry-After on REST) until the window ends.
/// </summary>
internal sealed class AdminTokenInterceptor(AdminTokenVerifier verifier) : Interceptor
{
    public const string HeaderName = AdminTokenVerifier.HeaderName;

    // Health checks answer without a token so that orchestrators and the Edge's /readyz can probe.
    private const string HealthServicePrefix = "/grpc.health.v1.Health/";

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
        if (!verifier.Required || context.Method.StartsWith(HealthServicePrefix, StringComparison.Ordinal))
        {
            return;
        }
        var http = context.GetHttpContext();
        var check = verifier.Check(context.RequestHeaders.GetValue(HeaderName), http.Connection.RemoteIpAddress);
        if (check.Verdict == AdminTokenVerdict.Accepted)
        {
            return;
        }
        var (code, message) = AdminTokenGate.Refusal(check);
        if (check.Verdict == AdminTokenVerdict.LockedOut)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw ControlErrors.TooManyTokenFailures(message);
        }
        throw ControlErrors.Unauthenticated(message);
    }
}
