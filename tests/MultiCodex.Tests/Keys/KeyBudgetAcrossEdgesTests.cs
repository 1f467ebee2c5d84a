using System.Net;
using System.Text.Json.Nodes;
using MultiCodex.Tests.Infrastructure;
using static MultiCodex.Tests.Keys.KeyRequests;

namespace MultiCodex.Tests.Keys;

/// <summary>
/// One key's budget enforced by two real Edges in front of one Control: each counts its own requests at once and
/// learns the other's through Control (its reports, summed, pushed back). The reports move only when the test flushes
/// them (fake clock), so what each Edge knows at each step is exact.
/// </summary>
public sealed class KeyBudgetAcrossEdgesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero).AddHours(9);
    private readonly TimerAwareClock _time = new(Start);
    private ProxyFixture _proxy = null!;
    private EdgeHost _second = null!;

    private EdgeHost First => _proxy.Stack.Edge;

    public async Task InitializeAsync()
    {
        _proxy = await ProxyFixture.StartAsync(time: _time);
        _second = await EdgeHost.StartAsync(_proxy.Stack.Control.Url, Stack.AdminToken, settings: Stack.UpstreamSettings(_proxy.Upstream), time: _time);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task WhenEachEdgeHasHeardTheOthers_TheBudgetHoldsExactly_AcrossBoth()
    {
        await _proxy.AddAccountAsync("shared@example.com");
        var (_, secret) = await CreateKeyAsync(_proxy.Stack.Admin, "team", new { requestsPerDay = 6 });
        await SyncBothAsync();

        var onFirst = await SendAsync(First, secret, 4);
        await First.FlushReportsAsync();
        await _second.SyncPoolAsync();
        var onSecond = await SendAsync(_second, secret, 3); // 4 counted on the first + 2 here: the third is refused
        await _second.FlushReportsAsync();
        await First.SyncPoolAsync();
        var firstAgain = await SendAsync(First, secret, 1);
        var usage = JsonNode.Parse(await (await GetAsync(First.Http, secret, "/v1/usage")).Content.ReadAsStringAsync())!;

        Assert.Equal([200, 200, 200, 200], onFirst);
        Assert.Equal([200, 200, 429], onSecond);
        Assert.Equal([429], firstAgain);
        Assert.Equal(6, (long)usage["limits"]!["budgets"]![0]!["used"]!);
    }

    [Fact]
    public async Task InABurstOnBothEdges_EachPassesAtMostTheBudget_EveryServedRequestCountsOnce_AndThenBothRefuse()
    {
        // The stated bound: an Edge adds what the others admitted since their last report reached it — here, with no
        // report moving, everything the other Edge admitted. Each Edge alone never passes the budget.
        await _proxy.AddAccountAsync("burst@example.com");
        var (id, secret) = await CreateKeyAsync(_proxy.Stack.Admin, "burst", new { requestsPerDay = 3 });
        await SyncBothAsync();

        var burst = await Task.WhenAll(
            Enumerable.Range(0, 5).Select(_ => SendAsync(First, secret, 1)).Concat(Enumerable.Range(0, 5).Select(_ => SendAsync(_second, secret, 1))));
        var (firstServed, secondServed) = (burst[..5].Count(b => b[0] == 200), burst[5..].Count(b => b[0] == 200));
        await First.FlushReportsAsync();
        await _second.FlushReportsAsync();
        await SyncBothAsync();
        int[] after = [.. await SendAsync(First, secret, 1), .. await SendAsync(_second, secret, 1)];
        var used = JsonNode.Parse(await _proxy.Stack.Admin.GetStringAsync($"/admin/api-keys/{id}"))!["apiKey"]!["budgets"]![0]!["used"];

        // Reports of one Edge may reach Control (and the other Edge) during the burst; either way the bound holds.
        Assert.InRange(firstServed, 0, 3);
        Assert.InRange(secondServed, 0, 3);
        Assert.InRange(firstServed + secondServed, 3, 6);
        Assert.All(burst.SelectMany(b => b), status => Assert.Contains(status, new[] { 200, 429 }));
        Assert.Equal([429, 429], after);
        // Every served request counted once, pool-wide.
        Assert.Equal((firstServed + secondServed).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)used);
    }

    private async Task SyncBothAsync()
    {
        await First.SyncPoolAsync();
        await _second.SyncPoolAsync();
    }

    private static async Task<int[]> SendAsync(EdgeHost edge, string secret, int count)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await RespondAsync(edge.Http, secret);
            statuses[i] = (int)response.StatusCode;
        }
        return statuses;
    }
}
