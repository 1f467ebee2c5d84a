using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Simulator.Demo;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Demo;

/// <summary>The demo lasts: its pool is still usable after 30 minutes of drift on the fake's clock and after a restart
/// on the same state file, where the tokens handed out before the restart keep working; any email can sign in.</summary>
public sealed class DemoModeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("multicodex-sim-demo-");

    private string StateFile => Path.Combine(_dir.FullName, "simulator.json");

    [Fact]
    public async Task DemoPool_StaysUsableAfter30Minutes_TheHotAccountBlocksAndRecovers_AndARestartKeepsAccountsAndTokens()
    {
        var clock = new FakeTimeProvider(TestSim.Epoch);
        Dictionary<string, TokenSet> stored;
        Dictionary<string, string> ids;
        var hotWasBlocked = false;
        await using (var sim = await FakeChatGpt.StartAsync(Options(clock)))
        {
            var demo = new DemoMode(sim);
            demo.Seed();
            stored = sim.Accounts.ToDictionary(a => a.Email, a => a.MintTokens());
            ids = sim.Accounts.ToDictionary(a => a.Email, a => a.ChatGptAccountId);
            using var stop = new CancellationTokenSource();
            var drift = demo.DriftAsync(stop.Token);

            // 30 minutes, one drift tick at a time, each seen through before the clock moves on.
            for (var tick = 1; tick <= 180; tick++)
            {
                clock.Advance(DemoMode.Interval);
                await demo.WaitForTicksAsync(tick, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                hotWasBlocked |= sim.FindAccount(DemoMode.HotEmail)!.GetUsage().LimitReached;
            }

            await stop.CancelAsync();
            await drift;

            Assert.True(hotWasBlocked, "the hot account should reach its limit within the first minutes");
            Assert.All(sim.Accounts, a => Assert.False(a.GetUsage().LimitReached, $"{a.Email} is blocked after 30 minutes"));
            Assert.True(sim.Accounts.Count(a => a.GetUsage().Primary.UsedPercent < 90) >= 3);
        }

        await using var restarted = await FakeChatGpt.StartAsync(Options(clock));
        using var client = TestSim.Client(restarted);

        Assert.True(restarted.RestoredFromStateFile);
        Assert.Equal(DemoMode.Emails, restarted.Accounts.Select(a => a.Email));
        Assert.All(restarted.Accounts, a => Assert.Equal(ids[a.Email], a.ChatGptAccountId));
        Assert.All(restarted.Accounts, a => Assert.False(a.GetUsage().LimitReached));
        foreach (var (email, tokens) in stored)
        {
            using var usage = new HttpRequestMessage(HttpMethod.Get, "backend-api/wham/usage");
            usage.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
            using var usageResponse = await client.SendAsync(usage);
            using var refresh = await OAuthClient.RefreshAsync(client, tokens.RefreshToken);

            Assert.True(usageResponse.StatusCode == HttpStatusCode.OK, $"{email}: access token lost in the restart");
            Assert.True(refresh.StatusCode == HttpStatusCode.OK, $"{email}: refresh token lost in the restart");
        }
    }

    [Fact]
    public async Task AnyEmail_CanSignInOnTheAuthorizePage_AndTheAccountSurvivesARestart()
    {
        var clock = new FakeTimeProvider(TestSim.Epoch);
        await using (var sim = await FakeChatGpt.StartAsync(Options(clock)))
        {
            using var client = TestSim.Client(sim);
            var verifier = Pkce.NewVerifier();
            var form = new Dictionary<string, string>
            {
                ["response_type"] = "code",
                ["client_id"] = FakeChatGptOptions.CodexClientId,
                ["redirect_uri"] = OAuthClient.RedirectUri,
                ["code_challenge"] = Pkce.Challenge(verifier),
                ["code_challenge_method"] = "S256",
                ["state"] = "st-1",
                ["email"] = "newcomer@example.org",
                ["action"] = "approve",
            };

            using var response = await client.PostAsync("oauth/authorize", new FormUrlEncodedContent(form));
            using var exchange = await OAuthClient.ExchangeAsync(client, OAuthClient.RedirectQuery(response)["code"], verifier);

            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
            Assert.NotNull(sim.FindAccount("newcomer@example.org"));
        }

        await using var restarted = await FakeChatGpt.StartAsync(Options(clock));
        Assert.NotNull(restarted.FindAccount("newcomer@example.org"));
    }

    [Fact]
    public async Task StateFile_IsWrittenAtomically_WithOwnerOnlyAccess()
    {
        await using var sim = await FakeChatGpt.StartAsync(Options(new FakeTimeProvider(TestSim.Epoch)));

        sim.AddAccount("a@x.test").MintTokens();

        Assert.True(File.Exists(StateFile));
        Assert.False(File.Exists(StateFile + ".tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StateFile));
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private FakeChatGptOptions Options(TimeProvider clock) => new() { TimeProvider = clock, StateFile = StateFile, CreateAccountsOnSignIn = true };
}
