using System.Collections.Concurrent;
using System.Text.Json;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>A Control process killed (SIGKILL) in the middle of writes leaves a valid accounts.json holding every acknowledged write.</summary>
public sealed class CrashSafetyTests
{
    private const int Kills = 8;
    private const int Writers = 4;

    [Fact]
    public async Task KilledWhileWriting_ManyTimes_FileStaysValidAndKeepsEveryAcknowledgedWrite()
    {
        using var data = new TempDirectory();
        var acknowledged = new ConcurrentBag<string>();
        var random = new Random(20261124);

        for (var round = 0; round < Kills; round++)
        {
            await using var control = await AppProcess.StartControlAsync(data.Path, Stack.AdminToken);
            var client = new AccountService.AccountServiceClient(control.Channel);
            var killAfter = acknowledged.Count + random.Next(3, 40);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();

            var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
                {
                    var email = $"r{round}-w{writer}-{i}@example.com";
                    var tokens = TestTokens.For(email);
                    try
                    {
                        await client.CreateAccountAsync(new CreateAccountRequest
                        {
                            Tokens = new AccountTokens { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, IdToken = tokens.IdToken },
                        }, Stack.Authorized);
                    }
                    catch (RpcException)
                    {
                        return; // the process is gone: this write was never acknowledged
                    }
                    acknowledged.Add(email);
                    if (acknowledged.Count >= killAfter)
                    {
                        enough.TrySetResult();
                    }
                }
            })).ToArray();

            await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await control.KillAsync();
            stop.Cancel();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

            var emails = ReadEmails(data.File("accounts.json"));
            var lost = acknowledged.Where(e => !emails.Contains(e)).ToList();
            Assert.True(lost.Count == 0, $"round {round}: {lost.Count} acknowledged accounts lost, e.g. {lost.FirstOrDefault()}");
        }

        // A last start proves the survivor loads, and cleans up any temp file the kills left.
        await using var final = await AppProcess.StartControlAsync(data.Path, Stack.AdminToken);
        var listed = await new AccountService.AccountServiceClient(final.Channel).ListAccountsAsync(new(), Stack.Authorized);
        Assert.True(listed.Accounts.Count >= acknowledged.Count);
        Assert.Empty(Directory.GetFiles(data.Path, "accounts.json.tmp-*"));
    }

    private static HashSet<string> ReadEmails(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal(2, document.RootElement.GetProperty("schemaVersion").GetInt32());
        return document.RootElement.GetProperty("accounts").EnumerateArray()
            .Select(a => a.GetProperty("email").GetString()!)
            .ToHashSet();
    }
}
