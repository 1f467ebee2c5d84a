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
        Assert.Equal(2, (int?)JsonNode.Parse(await File.ReadAllTextAsync(path))!["schemaVersion"]);
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

    [Fact]
    public async Task SchemaOneFile_IsReadWithItsWindowsAsMetersAndItsBlockOnTheOrdinaryLimit()
    {
        using var data = new TempDirectory();
        var until = DateTimeOffset.UtcNow.AddHours(2);
        var weeklyReset = DateTimeOffset.UtcNow.AddDays(3);
        var tokens = TestTokens.For("old@example.com");
        var account = new JsonObject
        {
            ["id"] = "acc_old",
            ["email"] = "old@example.com",
            ["label"] = "old",
            ["priority"] = 0,
            ["enabled"] = true,
            ["chatGptAccountId"] = tokens.ChatGptAccountId,
            ["tokens"] = new JsonObject { ["accessToken"] = tokens.AccessToken, ["refreshToken"] = tokens.RefreshToken, ["lastRefresh"] = "2026-11-01T00:00:00+00:00" },
            ["block"] = new JsonObject { ["until"] = until.ToString("O"), ["reason"] = "usage_limit_reached" },
            ["usage"] = new JsonObject
            {
                ["fiveHour"] = new JsonObject { ["usedPercent"] = 100, ["length"] = "05:00:00", ["resetsAt"] = until.ToString("O") },
                ["weekly"] = new JsonObject { ["usedPercent"] = 61, ["length"] = "7.00:00:00", ["resetsAt"] = weeklyReset.ToString("O") },
                ["observedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            },
            ["createdAt"] = "2026-11-01T00:00:00+00:00",
            ["updatedAt"] = "2026-11-01T00:00:00+00:00",
        };
        await File.WriteAllTextAsync(data.File("accounts.json"), new JsonObject { ["schemaVersion"] = 1, ["accounts"] = new JsonArray(account) }.ToJsonString());

        await using var control = await ControlHost.StartAsync(data.Path);
        await using var edge = await EdgeHost.StartAsync(control.Url);
        var read = (await AdminClient(edge).GetFromJsonAsync<JsonObject>("/admin/accounts/acc_old"))!["account"]!;

        Assert.Equal("STATE_BLOCKED", (string?)read["state"]);
        Assert.Equal("usage_limit_reached", (string?)read["blockReason"]);
        var block = Assert.Single(read["blocks"]!.AsArray())!;
        Assert.Equal(("ordinary", until.ToUnixTimeSeconds()), ((string?)block["meterKey"], DateTimeOffset.Parse((string)block["expireTime"]!).ToUnixTimeSeconds()));
        var meters = read["usage"]!["meters"]!.AsArray();
        Assert.Equal(["5h", "weekly"], meters.Select(m => (string?)m!["key"]));
        Assert.Equal(["KIND_FIVE_HOUR", "KIND_WEEKLY"], meters.Select(m => (string?)m!["kind"]));
        Assert.Equal(61, (double?)read["usage"]!["weekly"]!["usedPercent"]);

        // The next change writes the file in schema 2.
        (await AdminClient(edge).PatchAsJsonAsync("/admin/accounts/acc_old", new { label = "renamed" })).EnsureSuccessStatusCode();
        var onDisk = JsonNode.Parse(await File.ReadAllTextAsync(data.File("accounts.json")))!;
        Assert.Equal(2, (int?)onDisk["schemaVersion"]);
        var stored = onDisk["accounts"]![0]!;
        Assert.Null(stored["block"]);
        Assert.Equal("ordinary", (string?)stored["blocks"]![0]!["meter"]);
        Assert.Equal(["FiveHour", "Weekly"], stored["usage"]!["meters"]!.AsArray().Select(m => (string?)m!["kind"]));
        Assert.Null(stored["usage"]!["fiveHour"]);
    }

    private static HttpClient AdminClient(EdgeHost edge)
    {
        var client = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        return client;
    }
}
