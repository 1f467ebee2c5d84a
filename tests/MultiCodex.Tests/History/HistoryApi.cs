using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.History;

/// <summary>Reads the history through the admin REST routes, and waits for what arrives in the background.</summary>
internal static class HistoryApi
{
    public static async Task<JsonObject> PageAsync(HttpClient admin, string query = "")
    {
        var response = await admin.GetAsync("/admin/requests" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/admin/requests{query} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> RequestsAsync(HttpClient admin, string query = "") =>
        (await PageAsync(admin, query))["requests"]!.AsArray();

    public static async Task<JsonObject> OverviewAsync(HttpClient admin, string window = "86400s") =>
        (await admin.GetFromJsonAsync<JsonObject>($"/admin/usage/overview?window={window}"))!;

    /// <summary>Polls until <paramref name="condition"/> holds (bounded: 20 s).</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public static long Long(JsonNode? node) => node is null ? 0 : long.Parse(node.ToString(), System.Globalization.CultureInfo.InvariantCulture);
}
