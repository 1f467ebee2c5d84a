using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Infrastructure.Storage;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// A data folder that refuses writes (read-only, an immutable file; see <see cref="FileSystemFaults"/>): every change
/// is answered 503 (gRPC UNAVAILABLE) with a message naming the folder and the operating system's error, logged once at
/// error level, and nothing changes, on disk or in memory. Once the folder takes writes again, so does Control; a
/// deferred save that failed is retried until it lands.
/// </summary>
public sealed class StorageFaultTests
{
    private const int WriteFailedEvent = 1901;
    private const int DeferredWriteFailedEvent = 1902;
    private const int DeferredWriteRecoveredEvent = 1904;

    [Fact]
    public async Task ReadOnlyFolder_EveryChangeIs503NamingTheFolder_NothingChanges_AndItWorksAgainAfterwards()
    {
        await using var stack = await Stack.StartAsync();
        var secrets = new SecretScan();
        secrets.Add("the admin token", Stack.AdminToken);
        var first = TestTokens.For("first@example.com");
        secrets.Add(first);
        await stack.AddAccountAsync(first);
        var second = TestTokens.For("second@example.com");
        secrets.Add(second);
        var files = Files(stack.Data.Path);
        var logged = TestLogs.All(stack.LogSources).Count;
        var answers = new List<string>();

        using (FileSystemFaults.ReadOnlyFolder(stack.Data.Path))
        {
            var add = await stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = TestTokens.AuthJson(second) });
            var key = await stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "laptop" });
            var signIn = await stack.Admin.PostAsJsonAsync("/admin/oauth/start", new { email = "new@example.com" });
            var grpc = await Assert.ThrowsAsync<RpcException>(() => new ApiKeyService.ApiKeyServiceClient(stack.GrpcWeb)
                .CreateApiKeyAsync(new CreateApiKeyRequest { Name = "grpc" }, Stack.Authorized).ResponseAsync);
            foreach (var response in new[] { add, key, signIn })
            {
                var text = await response.Content.ReadAsStringAsync();
                answers.Add(text);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Contains(stack.Data.Path, text);
                Assert.Contains("is intact", text);
            }
            Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
            Assert.Contains(stack.Data.Path, grpc.Status.Detail);
            Assert.Equal(files, Files(stack.Data.Path));
            Assert.Single((await stack.Admin.GetFromJsonAsync<JsonObject>("/admin/accounts"))!["accounts"]!.AsArray());
        }

        var lines = TestLogs.All(stack.LogSources).Skip(logged).ToList();
        Assert.Equal(4, lines.Count(l => l.EventId == WriteFailedEvent && l.Level == Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.DoesNotContain(lines, TestLogs.Faults(stack.LogSources).Contains);
        Assert.Empty(answers.SelectMany(a => secrets.FindIn(a, "an answer")).Concat(lines.SelectMany(l => secrets.FindIn(l.Text, "a log line"))));
        Assert.Equal(HttpStatusCode.OK, (await stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = TestTokens.AuthJson(second) })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "laptop" })).StatusCode);
    }

    [Fact]
    public async Task ImmutableAccountsFile_RefusesAccountChanges_WhileOtherFilesStillTakeWrites()
    {
        await using var stack = await Stack.StartAsync();
        var id = (string)(await stack.AddAccountAsync(TestTokens.For("pinned@example.com")))["id"]!;
        var accounts = await File.ReadAllBytesAsync(stack.Data.File("accounts.json"));

        using (FileSystemFaults.ImmutableFile(stack.Data.File("accounts.json")))
        {
            var rename = await stack.Admin.PatchAsJsonAsync($"/admin/accounts/{id}", new { label = "renamed" });
            var key = await stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "still-works" });

            Assert.Equal(HttpStatusCode.ServiceUnavailable, rename.StatusCode);
            Assert.Contains("accounts.json", await rename.Content.ReadAsStringAsync());
            Assert.Equal(Environment.IsPrivilegedProcess ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, key.StatusCode);
            Assert.Equal(accounts, await File.ReadAllBytesAsync(stack.Data.File("accounts.json")));
            Assert.NotEqual("renamed", (string?)(await stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{id}"))!["account"]!["label"]);
        }
    }

    [Fact]
    public async Task DeferredSave_ThatFails_IsLoggedOnce_AndRetried_UntilItLands()
    {
        var clock = new TimerAwareClock(DateTimeOffset.UtcNow);
        var saveDelay = PersistentState<object>.DeferredSaveDelay; // the first retry waits twice as long
        await using var stack = await Stack.StartAsync(time: clock);
        var accountId = (string)(await stack.AddAccountAsync(TestTokens.For("busy@example.com")))["id"]!;
        var before = await File.ReadAllTextAsync(stack.Data.File("accounts.json"));
        var failed = TestLogs.WaitForAsync(l => l.Source == stack.Control.LogSource && l.EventId == DeferredWriteFailedEvent, TimeSpan.FromSeconds(30));

        using (FileSystemFaults.ReadOnlyFolder(stack.Data.Path))
        {
            // An Edge reports a served request: the account was used, a deferred change written a moment later.
            var timersBefore = clock.TimersCreated;
            var applied = await new PoolService.PoolServiceClient(stack.Control.Channel).ReportOutcomesAsync(new ReportOutcomesRequest
            {
                EdgeId = "edge_storage",
                Reports =
                {
                    new PoolReport
                    {
                        Sequence = 1,
                        Attempt = new AttemptReport { AccountId = accountId, Model = "gpt-5.5", StatusCode = 200, Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) },
                    },
                },
            }, Stack.Authorized);
            Assert.Equal(1UL, applied.AppliedThrough);
            // The deferred save waits in Task.Run: advance only once its delay is armed, then once its retry is.
            var saveArmed = await clock.WaitForTimerAsync(saveDelay, armedBy: typeof(PersistentState<>), after: timersBefore);
            clock.Advance(saveDelay);
            var line = await failed;
            await clock.WaitForTimerAsync(2 * saveDelay, armedBy: typeof(PersistentState<>), after: saveArmed);

            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
            Assert.Contains(stack.Data.Path, line.Message);
            Assert.Equal(before, await File.ReadAllTextAsync(stack.Data.File("accounts.json")));
        }
        var recovered = TestLogs.WaitForAsync(l => l.Source == stack.Control.LogSource && l.EventId == DeferredWriteRecoveredEvent, TimeSpan.FromSeconds(30));
        clock.Advance(2 * saveDelay);
        await recovered;

        Assert.NotEqual(before, await File.ReadAllTextAsync(stack.Data.File("accounts.json")));
        Assert.Single(TestLogs.All([stack.Control.LogSource]), l => l.EventId == DeferredWriteFailedEvent);
    }

    private static Dictionary<string, string> Files(string folder) =>
        Directory.EnumerateFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToBase64String(File.ReadAllBytes(f)));
}
