using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace MultiCodex.Hosting;

/// <summary>
/// Answers an admin call that is refused before it reaches a gRPC service, in the caller's protocol: gRPC and
/// gRPC-Web get a trailers-only response (HTTP 200 with <c>grpc-status</c> and <c>grpc-message</c>), which every gRPC
/// client reads as that status; REST gets the JSON shape of transcoded gRPC errors, <c>{"code","message","details"}</c>,
/// with the HTTP status of the code.
/// </summary>
public static class AdminErrors
{
    /// <summary>True for gRPC and gRPC-Web requests (their content type starts with <c>application/grpc</c>).</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Writes the refusal; <paramref name="retryAfter"/> adds a <c>Retry-After</c> header in whole seconds, and
    /// <paramref name="httpStatus"/> overrides the code's HTTP status on REST (415 for a content type).
    /// </summary>
    public static Task WriteAsync(HttpContext context, StatusCode code, string message, TimeSpan? retryAfter = null, int? httpStatus = null)
    {
        var response = context.Response;
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = context.Request.ContentType!.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase)
                ? context.Request.ContentType
                : "application/grpc";
            response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return Task.CompletedTask;
        }
        response.StatusCode = httpStatus ?? HttpStatusOf(code);
        response.ContentType = "application/json; charset=utf-8";
        return response.Body.WriteAsync(Json(code, message)).AsTask();
    }

    private static byte[] Json(StatusCode code, string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("code", (int)code);
            json.WriteString("message", message);
            json.WriteStartArray("details");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The HTTP status JSON transcoding gives a gRPC status (google.rpc.Code's mapping).</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
