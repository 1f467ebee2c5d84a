using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Keys;

/// <summary>What the key tests do through the real front door: create a key with limits, send /v1 requests with it.</summary>
internal static class KeyRequests
{
    /// <summary>Creates a key through <c>POST /admin/api-keys</c>; returns its id and secret.</summary>
    public static async Task<(string Id, string Secret)> CreateKeyAsync(HttpClient admin, string name, object? limits = null)
    {
        var response = await admin.PostAsJsonAsync("/admin/api-keys", new { name, limits });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonNode.Parse(body)!;
        return ((string)json["apiKey"]!["id"]!, (string)json["secret"]!);
    }

    /// <summary>A non-streaming <c>POST /v1/responses</c> (or <paramref name="path"/>) with the key.</summary>
    public static Task<HttpResponseMessage> RespondAsync(HttpClient client, string secret, string model = "gpt-5.5", string path = "/v1/responses",
        bool explain = false)
    {
        object body = path.EndsWith("chat/completions", StringComparison.Ordinal)
            ? new { model, messages = new[] { new { role = "user", content = "hi" } } }
            : new { model, input = "hi" };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        if (explain)
        {
            request.Headers.Add("x-multicodex-explain", "1");
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetAsync(HttpClient client, string secret, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client.SendAsync(request);
    }

    /// <summary>The OpenAI error of a refusal: status, code, type, message.</summary>
    public static async Task<(HttpStatusCode Status, string? Code, string? Type, string Message, string? Param)> ErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var error = JsonNode.Parse(body)?["error"];
        Assert.True(error is not null, $"not an OpenAI error: {response.StatusCode} {body}");
        return (response.StatusCode, (string?)error["code"], (string?)error["type"], (string)error["message"]!, (string?)error["param"]);
    }

    /// <summary>The whole seconds of <c>Retry-After</c>; null without one.</summary>
    public static long? RetryAfter(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) ? long.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : null;
}
