using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>What Control acknowledged is still there after a restart, in a file only its owner can read.</summary>
public sealed class PersistenceTests
{
    [Fact]
    public async Task Restart_KeepsAccountsAndTheirSettings()
    {
        using var data = new TempDirectory();
        string id;
        await using (var control = await ControlHost.StartAsync(data.Path))
        await using (var edge = await EdgeHost.StartAsync(control.Url))
        {
            var admin = AdminClient(edge);
            var created = await admin.PostAsJsonAsync("/admin/accounts", new { authJson = TestTokens.AuthJson(TestTokens.For("persist@example.com")) });
            id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
            (await admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { label = "kept", priority = 9, enabled = false })).EnsureSuccessStatusCode();
        }

        await using (var control = await ControlHost.StartAsync(data.Path))
        await using (var edge = await EdgeHost.StartAsync(control.Url))
        {
            var account = (await AdminClient(edge).GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!;
            Assert.Equal("persist@example.com", (string?)account["email"]);
            Assert.Equal("kept", (string?)account["label"]);
            Assert.Equal(9, (int?)account["priority"]);
            Assert.Equal("STATE_DISABLED", (string?)account["state"]);
        }
    }

    [Fact]
    public async Task AccountsFile_IsOwnerOnlyAndVersioned()
    {
        await using var stack = await Stack.StartAsync();
        await stack.AddAccountAsync(TestTokens.For("mode@example.com"));

        var path = stack.Data.File("accounts.json");

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal(1, (int?)JsonNode.Parse(await File.ReadAllTextAsync(path))!["schemaVersion"]);
    }

    [Fact]
    public async Task DamagedAccountsFile_StopsTheStartWithAMessageAndIsLeftAlone()
    {
        using var data = new TempDirectory();
        await File.WriteAllTextAsync(data.File("accounts.json"), "{\"schemaVersion\":1,\"accounts\":[{");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ControlHost.StartAsync(data.Path));

        Assert.Contains("accounts.json is not valid JSON", error.ToString());
        Assert.Equal("{\"schemaVersion\":1,\"accounts\":[{", await File.ReadAllTextAsync(data.File("accounts.json")));
    }

    private static HttpClient AdminClient(EdgeHost edge)
    {
        var client = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        return client;
    }
}
