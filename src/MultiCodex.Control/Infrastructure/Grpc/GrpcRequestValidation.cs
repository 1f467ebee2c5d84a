using System.Buffers.Binary;
using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>
/// Refuses a gRPC or gRPC-Web request whose message is missing, cut short or not valid protobuf with
/// INVALID_ARGUMENT, and one larger than the limit with RESOURCE_EXHAUSTED. gRPC for .NET reads the message before any
/// interceptor runs and treats a parse failure as a fault of the service (UNKNOWN, and an error with a stack trace in
/// the log) and a short frame as INTERNAL; a client's bad bytes are neither. Every method here takes one request
/// message (unary or server streaming), which is read from the buffered body and parsed once more, then the body is
/// rewound for gRPC.
/// </summary>
internal static class GrpcRequestValidation
{
    private const int FrameHeaderLength = 5;

    public static IApplicationBuilder UseGrpcRequestValidation(this IApplicationBuilder app, long maxMessageBytes) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { Method.Type: MethodType.Unary or MethodType.ServerStreaming } grpc
                && IsBinaryGrpc(request.ContentType))
            {
                request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: maxMessageBytes + FrameHeaderLength);
                byte[]? message;
                string? problem;
                StatusCode code;
                try
                {
                    (message, problem, code) = await ReadFirstMessageAsync(request.Body, maxMessageBytes, context.RequestAborted);
                    // To the end, so that gRPC reads from the buffer only: a caller that goes away later (the Edge
                    // cancelling a call) is then no read error inside gRPC, which it would log as a fault.
                    await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
                {
                    return; // the caller went away
                }
                catch (IOException)
                {
                    (message, problem, code) = (null, $"The request is larger than {maxMessageBytes} bytes.", StatusCode.ResourceExhausted);
                }
                request.Body.Position = 0;
                problem ??= message is null ? null : ParseError(grpc.Method, message);
                if (problem is not null)
                {
                    await AdminErrors.WriteAsync(context, code, problem);
                    return;
                }
            }
            await next(context);
        });

    // Binary framing only (application/grpc, application/grpc-web, +proto); base64 gRPC-Web text is left to gRPC.
    private static bool IsBinaryGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && !contentType.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase);

    // The message of the first frame, or what is wrong with the frame. A compressed frame is left to gRPC (it says
    // which encodings it takes).
    private static async Task<(byte[]? Message, string? Problem, StatusCode Code)> ReadFirstMessageAsync(
        Stream body, long maxMessageBytes, CancellationToken cancellationToken)
    {
        var header = new byte[FrameHeaderLength];
        var read = await body.ReadAtLeastAsync(header, FrameHeaderLength, throwOnEndOfStream: false, cancellationToken);
        if (read < FrameHeaderLength)
        {
            return (null, read == 0 ? "The request has no message." : "The request's message frame is cut short.", StatusCode.InvalidArgument);
        }
        if (header[0] != 0)
        {
            return (null, null, StatusCode.OK);
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > maxMessageBytes)
        {
            return (null, $"The request message is larger than {maxMessageBytes} bytes.", StatusCode.ResourceExhausted);
        }
        var message = new byte[length];
        return await body.ReadAtLeastAsync(message, (int)length, throwOnEndOfStream: false, cancellationToken) == length
            ? (message, null, StatusCode.InvalidArgument)
            : (null, $"The request message is shorter than the {length} bytes its frame declares.", StatusCode.InvalidArgument);
    }

    private static string? ParseError(IMethod method, byte[] message)
    {
        // Method<TRequest, TResponse>.RequestMarshaller.ContextualDeserializer: the generated parser of the request type.
        var marshaller = method.GetType().GetProperty("RequestMarshaller")?.GetValue(method);
        if (marshaller?.GetType().GetProperty("ContextualDeserializer")?.GetValue(marshaller) is not Delegate deserialize)
        {
            return null;
        }
        try
        {
            deserialize.DynamicInvoke(new Payload(message));
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is InvalidProtocolBufferException invalid)
        {
            return $"The request message is not valid protobuf: {invalid.Message}";
        }
        catch (TargetInvocationException)
        {
            return null; // not ours to judge: gRPC reads the message again and answers for itself
        }
    }

    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();

        public override System.Buffers.ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
