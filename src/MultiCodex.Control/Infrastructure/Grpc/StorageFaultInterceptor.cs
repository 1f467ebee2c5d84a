using Grpc.Core;
using Grpc.Core.Interceptors;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>
/// A write the data folder refused becomes UNAVAILABLE (HTTP 503 on REST) with the message that names the folder and
/// the operating system's error, instead of an unhandled exception (500). The store has already logged it and left
/// the previous file and the state in memory as they were, so the call can simply be tried again later.
/// </summary>
internal sealed class StorageFaultInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (StorageUnavailableException e)
        {
            throw ControlErrors.StorageUnavailable(e.Message);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (StorageUnavailableException e)
        {
            throw ControlErrors.StorageUnavailable(e.Message);
        }
    }
}
