using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace MultiCodex.Control.Infrastructure.Grpc;

/// <summary>
/// The one factory for the errors the gRPC services throw. Canonical codes map to HTTP statuses through
/// JSON transcoding (NOT_FOUND → 404, INVALID_ARGUMENT and FAILED_PRECONDITION → 400, UNAUTHENTICATED → 401).
/// Messages never contain tokens.
/// </summary>
internal static class ControlErrors
{
    private const string Domain = "multicodex.control";

    [DoesNotReturn]
    public static void AccountNotFound(string id) => throw AccountNotFoundError(id);

    [DoesNotReturn]
    public static void FlowNotFound(string flowId) => throw FlowNotFoundError(flowId);

    [DoesNotReturn]
    public static void InvalidArgument(string field, string message) => throw InvalidArgumentError(field, message);

    public static RpcException AccountNotFoundError(string id) => NotFoundError("ACCOUNT_NOT_FOUND", $"No account has id '{id}'.");

    public static RpcException FlowNotFoundError(string flowId) => NotFoundError("OAUTH_FLOW_NOT_FOUND", $"No sign-in flow has id '{flowId}'.");

    public static RpcException NotFoundError(string reason, string message) => WithInfo(Code.NotFound, reason, message);

    public static RpcException InvalidArgumentError(string field, string message) =>
        new global::Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message,
            Details =
            {
                Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = message } } }),
            },
        }.ToRpcException();

    public static RpcException AlreadyExistsError(string reason, string message) => WithInfo(Code.AlreadyExists, reason, message);

    public static RpcException FailedPreconditionError(string reason, string message) => WithInfo(Code.FailedPrecondition, reason, message);

    public static RpcException Unauthenticated(string message) => WithInfo(Code.Unauthenticated, "ADMIN_TOKEN_INVALID", message);

    public static RpcException TooManyTokenFailures(string message) => WithInfo(Code.ResourceExhausted, "ADMIN_TOKEN_GUESSING", message);

    /// <summary>A write to the data folder failed (read-only, full, immutable file): the change was not made, nothing else broke.</summary>
    public static RpcException StorageUnavailable(string message) => WithInfo(Code.Unavailable, "STORAGE_UNAVAILABLE", message);

    private static RpcException WithInfo(Code code, string reason, string message) =>
        new global::Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
        }.ToRpcException();
}
