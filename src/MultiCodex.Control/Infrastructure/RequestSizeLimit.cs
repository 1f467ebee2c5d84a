using Microsoft.Extensions.Options;

namespace MultiCodex.Control.Infrastructure;

/// <summary>
/// Answers 413 for REST bodies over the limit before transcoding reads them (Kestrel's own limit
/// would surface there as a 400). gRPC calls keep gRPC's own RESOURCE_EXHAUSTED for oversized messages.
/// </summary>
internal static class RequestSizeLimit
{
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IOptions<ControlOptions>>().Value.MaxRequestBodyBytes;
        return app.Use((context, next) =>
        {
            if (context.Request.ContentLength > limit
                && context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return context.Response.WriteAsJsonAsync(new PayloadTooLarge(8, $"The request body is larger than {limit} bytes."),
                    ControlJsonContext.Default.PayloadTooLarge);
            }
            return next(context);
        });
    }
}

/// <summary>The same shape as transcoded gRPC errors: a code (RESOURCE_EXHAUSTED) and a message.</summary>
internal sealed record PayloadTooLarge(int Code, string Message);

[System.Text.Json.Serialization.JsonSerializable(typeof(PayloadTooLarge))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class ControlJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
