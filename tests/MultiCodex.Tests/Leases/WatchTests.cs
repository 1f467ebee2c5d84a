using System.Net.Http.Json;
using Grpc.Core;
using MultiCodex.Control.Pool;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Leases;

/// <summary>WatchAccounts over gRPC-Web through the front door (as the dashboard uses it) follows every change.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_OverGrpcWeb_SendsTheListThenEveryChange_IncludingABlockEndingByItself()
    {
        var time = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var stack = await Stack.StartAsync(time: time);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = new AccountService.AccountServiceClient(stack.GrpcWeb)
            .WatchAccounts(new WatchAccountsRequest(), new CallOptions(Stack.Authorized.Headers, cancellationToken: timeout.Token));
        async Task<WatchAccountsResponse> NextAsync()
        {
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
            return watch.ResponseStream.Current;
        }

        Assert.Empty((await NextAsync()).Accounts);

        var tokens = TestTokens.For("watch@example.com", expires: time.GetUtcNow().AddDays(10));
        (await stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = TestTokens.AuthJson(tokens) })).EnsureSuccessStatusCode();
        var added = Assert.Single((await NextAsync()).Accounts);
        Assert.Equal("watch@example.com", added.Email);

        // An Edge reports a quota error on it: the next messages carry the block.
        await new PoolClient(stack.Control.Channel).SendAsync(
            PoolClient.Of(PoolClient.Attempt(added.Id, 429, "usage_limit_reached", resetsIn: TimeSpan.FromMinutes(10))));
        WatchAccountsResponse update;
        do
        {
            update = await NextAsync();
        }
        while (update.Accounts[0].State != Account.Types.State.Blocked);

        // Control's housekeeping ends the block on its tick; its timer must be armed before the clock jumps.
        await time.WaitForTimerAsync(armedBy: typeof(BlockHousekeeping));
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(2));
        do
        {
            update = await NextAsync();
        }
        while (update.Accounts[0].State != Account.Types.State.Active);

        Assert.Null(update.Accounts[0].BlockExpireTime);
    }
}
