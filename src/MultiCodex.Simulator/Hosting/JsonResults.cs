using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Hosting;

/// <summary>JSON answers written exactly as built (key order and nulls kept), like the real services.</summary>
internal static class JsonResults
{
    /// <summary>Plain quotes and apostrophes, as the real (Python) services write them, instead of <c>\u0027</c>.</summary>
    public static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IResult Of(JsonNode body, int statusCode) =>
        Results.Text(body.ToJsonString(Wire), "application/json", statusCode: statusCode);
}
