using System.Text.Json;
using System.Text.Json.Serialization;

namespace MultiCodex.Edge.OpenAi;

/// <summary>OpenAI's error shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAiError(OpenAiErrorBody Error)
{
    public static IResult Result(int status, string message, string type, string? code = null, string? param = null) =>
        TypedResults.Json(new OpenAiError(new OpenAiErrorBody(message, type, param, code)), OpenAiJsonContext.Default.OpenAiError, statusCode: status);
}

/// <summary>The body of an OpenAI error.</summary>
public sealed record OpenAiErrorBody(string Message, string Type, string? Param, string? Code);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(OpenAiError))]
internal sealed partial class OpenAiJsonContext : JsonSerializerContext;
