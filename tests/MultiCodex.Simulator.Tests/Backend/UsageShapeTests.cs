using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

/// <summary>The usage shapes beyond two windows: credit-only budgets, the reserve meter, the workspace limit kinds,
/// and the catalog's client-version filter.</summary>
public sealed class UsageShapeTests
{
    [Fact]
    public async Task CreditOnlyAccount_ReportsNoWindows_AndABudget_ThenSpendControlReachedOnceSpent()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("biz@x.test", "business");
        account.UseCreditBudget(monthlyLimit: 2, used: 1, resetAt: TestSim.Epoch.AddDays(12));

        var (first, _, _) = await RespondAsync(sim, account);
        var usage = await UsageAsync(sim, account);
        var (second, headers, body) = await RespondAsync(sim, account);

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("rate_limit").ValueKind);
        var limit = usage.GetProperty("spend_control").GetProperty("individual_limit");
        Assert.True(usage.GetProperty("spend_control").GetProperty("reached").GetBoolean());
        Assert.Equal("2.00", limit.GetProperty("limit").GetString());
        Assert.Equal("0.00", limit.GetProperty("remaining").GetString());
        Assert.Equal(100, limit.GetProperty("used_percent").GetInt32());
        Assert.Equal(TestSim.Epoch.AddDays(12).ToUnixTimeSeconds(), limit.GetProperty("reset_at").GetInt64());
        Assert.Equal("spend_control_reached", usage.GetProperty("rate_limit_reached_type").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, second);
        Assert.Equal("spend_control_reached", headers.GetValues("x-codex-rate-limit-reached-type").Single());
        Assert.False(headers.Contains("x-codex-primary-used-percent"));
        Assert.Equal(TestSim.Epoch.AddDays(12).ToUnixTimeSeconds(), body.GetProperty("error").GetProperty("resets_at").GetInt64());
    }

    [Fact]
    public async Task ReserveMeter_ServesTheReserveModel_WhenTheOrdinaryWindowsAreSpent()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("reserve@x.test", "prolite");
        account.WeeklyOnlyPrimary = true;
        account.SetPrimaryUsage(100);
        account.EnableReserve("gpt-5.6-luna", usedPercent: 24);
        var plain = sim.AddAccount("plain@x.test");

        var (ordinary, _, _) = await RespondAsync(sim, account, "gpt-5.6-luna");
        var (reserve, _, _) = await RespondAsync(sim, account, SimAccount.ReserveModel);
        var (notEligible, _, _) = await RespondAsync(sim, plain, SimAccount.ReserveModel);
        var usage = await UsageAsync(sim, account);

        Assert.Equal(HttpStatusCode.TooManyRequests, ordinary);
        Assert.Equal(HttpStatusCode.OK, reserve);
        Assert.Equal(HttpStatusCode.BadRequest, notEligible);
        Assert.False(usage.GetProperty("rate_limit").GetProperty("allowed").GetBoolean());
        var entry = Assert.Single(usage.GetProperty("additional_rate_limits").EnumerateArray());
        Assert.Equal("gpt-reserve", entry.GetProperty("limit_name").GetString());
        Assert.Equal("base_model_inference", entry.GetProperty("metered_feature").GetString());
        Assert.Equal("gpt-5.6-luna", entry.GetProperty("normal_model_slug").GetString());
        Assert.True(entry.GetProperty("rate_limit").GetProperty("allowed").GetBoolean());
        Assert.Equal(25, entry.GetProperty("rate_limit").GetProperty("primary_window").GetProperty("used_percent").GetInt32());
    }

    [Fact]
    public async Task ReserveMeter_SpentOut_RefusesTheReserveModelToo()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("reserve@x.test", "plus");
        account.EnableReserve(usedPercent: 100);

        var (status, _, body) = await RespondAsync(sim, account, SimAccount.ReserveModel);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("usage_limit_reached", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(RateLimitReachedKind.WorkspaceMemberCreditsDepleted, "workspace_member_credits_depleted")]
    [InlineData(RateLimitReachedKind.WorkspaceOwnerCreditsDepleted, "workspace_owner_credits_depleted")]
    [InlineData(RateLimitReachedKind.WorkspaceOwnerUsageLimitReached, "workspace_owner_usage_limit_reached")]
    [InlineData(RateLimitReachedKind.WorkspaceMemberUsageLimitReached, "workspace_member_usage_limit_reached")]
    public async Task WorkspaceLimit_Answers429WithItsKind_InTheHeaderAndTheUsagePayload(RateLimitReachedKind kind, string wire)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("member@x.test", "team");
        account.WorkspaceLimit = kind;
        account.WorkspaceLimitResetsAt = TestSim.Epoch.AddHours(3);

        var (status, headers, body) = await RespondAsync(sim, account);
        var usage = await UsageAsync(sim, account);
        account.WorkspaceLimit = null;
        var (cleared, _, _) = await RespondAsync(sim, account);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(wire, headers.GetValues("x-codex-rate-limit-reached-type").Single());
        Assert.Equal("usage_limit_reached", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(TestSim.Epoch.AddHours(3).ToUnixTimeSeconds(), body.GetProperty("error").GetProperty("resets_at").GetInt64());
        Assert.Equal(wire, usage.GetProperty("rate_limit_reached_type").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, cleared);
    }

    [Fact]
    public async Task ScriptedRateLimitReached_NamesItsKind_ForOneRequest()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.RateLimitReached(RateLimitReachedKind.SpendControlReached, TimeSpan.FromHours(1)));

        var (status, headers, _) = await RespondAsync(sim, account);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("spend_control_reached", headers.GetValues("x-codex-rate-limit-reached-type").Single());
    }

    [Theory]
    [InlineData("0.165.0", false)]
    [InlineData("0.166.0", true)]
    [InlineData("0.171.0", true)]
    public async Task Catalog_HidesModelsAboveTheClientVersion(string clientVersion, bool listsNewest)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        using var client = TestSim.Client(sim);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"backend-api/codex/models?client_version={clientVersion}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.MintTokens().AccessToken);

        using var response = await client.SendAsync(request);
        var slugs = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("models")
            .EnumerateArray().Select(m => m.GetProperty("slug").GetString()).ToList();

        Assert.Contains("gpt-5.5", slugs);
        Assert.Equal(listsNewest, slugs.Contains("gpt-6.2-sol"));
        Assert.Equal(listsNewest, slugs.Contains("gpt-6.2-astra"));
    }

    private static async Task<(HttpStatusCode, HttpResponseHeaders, JsonElement)> RespondAsync(FakeChatGpt sim, SimAccount account, string model = "gpt-5.5")
    {
        using var client = TestSim.Client(sim);
        using var response = await client.SendAsync(ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("x", model)));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.StartsWith('{') ? text : "{}");
        return (response.StatusCode, response.Headers, doc.RootElement.Clone());
    }

    private static async Task<JsonElement> UsageAsync(FakeChatGpt sim, SimAccount account)
    {
        using var client = TestSim.Client(sim);
        using var request = new HttpRequestMessage(HttpMethod.Get, "backend-api/wham/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.MintTokens().AccessToken);
        using var response = await client.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
