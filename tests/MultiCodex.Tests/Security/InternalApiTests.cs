using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using MultiCodex.Control.V1;
using MultiCodex.Hosting;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// PoolService is internal: a browser or a remote client can reach it neither through the front door nor over
/// gRPC-Web, even with the admin token (WatchPool and RefreshAccessToken hand out raw upstream access tokens and the
/// client-key hashes, ReportOutcomes can forge quota blocks). Only native gRPC on Control's own port serves it, as
/// the Edge calls it.
/// </summary>
public sealed class InternalApiTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    public enum Path { GrpcWebThroughTheFrontDoor, GrpcThroughTheFrontDoor, GrpcWebOnControlsPort }

    [Theory]
    [InlineData(Path.GrpcWebThroughTheFrontDoor)]
    [InlineData(Path.GrpcThroughTheFrontDoor)]
    [InlineData(Path.GrpcWebOnControlsPort)]
    public async Task PoolCalls_AreRefused_EvenWithTheAdminToken(Path path)
    {
        var account = await _stack.AddAccountAsync(TestTokens.For("leased@example.com"));
        using var channel = ChannelFor(path);
        var pool = new PoolService.PoolServiceClient(channel);

        var watch = await Assert.ThrowsAsync<RpcException>(() => FirstViewAsync(pool, Stack.Authorized));
        var report = await Assert.ThrowsAsync<RpcException>(() => pool.ReportOutcomesAsync(ForgedBlock((string)account["id"]!), Stack.Authorized).ResponseAsync);
        var refresh = await Assert.ThrowsAsync<RpcException>(() => pool.RefreshAccessTokenAsync(
            new RefreshAccessTokenRequest { AccountId = (string)account["id"]! }, Stack.Authorized).ResponseAsync);

        Assert.All([watch, report, refresh], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("internal", watch.Status.Detail);
        Assert.Equal("STATE_ACTIVE", (string?)(await _stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/accounts/{account["id"]}"))!["account"]!["state"]);
    }

    [Fact]
    public async Task NativeGrpcOnControlsPort_ServesTheEdge_WithTheAdminToken()
    {
        await _stack.AddAccountAsync(TestTokens.For("edge-only@example.com"));
        var pool = new PoolService.PoolServiceClient(_stack.Control.Channel);

        var view = await FirstViewAsync(pool, Stack.Authorized);
        var withoutToken = await Assert.ThrowsAsync<RpcException>(() => FirstViewAsync(pool, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30))));

        Assert.Contains(view.Accounts, a => a.Email == "edge-only@example.com" && a.AccessToken.Length > 0);
        Assert.Equal(StatusCode.Unauthenticated, withoutToken.StatusCode);
    }

    [Fact]
    public async Task ACallAnEdgeForwarded_IsRefusedByControlToo()
    {
        // Defence in depth: what reaches Control through any front door carries X-Forwarded-For; the Edge's own calls do not.
        var forwarded = new Grpc.Core.Metadata { { "x-admin-token", Stack.AdminToken }, { "x-forwarded-for", "203.0.113.7" } };

        var refused = await Assert.ThrowsAsync<RpcException>(() => FirstViewAsync(new PoolService.PoolServiceClient(_stack.Control.Channel),
            new CallOptions(forwarded, deadline: DateTime.UtcNow.AddSeconds(30))));
        var allowed = await new AccountService.AccountServiceClient(_stack.Control.Channel).ListAccountsAsync(new(), new CallOptions(forwarded));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Empty(allowed.Accounts);
    }

    [Fact]
    public async Task PublicMethods_StillWorkOverGrpcWeb()
    {
        var keys = await new ApiKeyService.ApiKeyServiceClient(_stack.GrpcWeb).ListApiKeysAsync(new ListApiKeysRequest(), Stack.Authorized);
        var usage = await new UsageService.UsageServiceClient(_stack.GrpcWeb).ListRequestsAsync(new ListRequestsRequest(), Stack.Authorized);
        var webhooks = await new WebhookService.WebhookServiceClient(_stack.GrpcWeb).ListWebhooksAsync(new ListWebhooksRequest(), Stack.Authorized);
        var events = await new EventService.EventServiceClient(_stack.GrpcWeb).ListEventsAsync(new ListEventsRequest(), Stack.Authorized);

        Assert.Empty(keys.ApiKeys);
        Assert.Empty(usage.Requests);
        Assert.Empty(webhooks.Webhooks);
        Assert.Empty(events.Events);
    }

    [Fact]
    public void PublicSurface_IsTheAdminRoutes_AndNothingInternal()
    {
        Assert.Contains("/multicodex.control.v1.AccountService/ExportAccount", PublicGrpcApi.Methods);
        Assert.Contains("/multicodex.control.v1.ApiKeyService/CreateApiKey", PublicGrpcApi.Methods);
        Assert.Contains("/multicodex.control.v1.EventService/WatchEvents", PublicGrpcApi.Methods);
        Assert.Contains("/multicodex.control.v1.WebhookService/CreateWebhook", PublicGrpcApi.Methods);
        Assert.Contains("/multicodex.control.v1.WebSocketSessionService/ListWebSocketSessions", PublicGrpcApi.Methods);
        Assert.DoesNotContain(PublicGrpcApi.Methods, m => m.StartsWith("/multicodex.control.v1.PoolService/", StringComparison.Ordinal));
    }

    // The first message of WatchPool: the whole view, with every account's access token.
    private static async Task<WatchPoolResponse> FirstViewAsync(PoolService.PoolServiceClient pool, CallOptions options)
    {
        using var call = pool.WatchPool(new WatchPoolRequest { EdgeId = "edge_intruder" }, options.WithDeadline(DateTime.UtcNow.AddSeconds(30)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "WatchPool ended without a view.");
        return call.ResponseStream.Current;
    }

    // A quota block for an account, as an Edge would report it after a 429.
    private static ReportOutcomesRequest ForgedBlock(string accountId) => new()
    {
        EdgeId = "edge_intruder",
        Reports =
        {
            new PoolReport
            {
                Sequence = 1,
                Attempt = new AttemptReport { AccountId = accountId, Model = "gpt-5.5", StatusCode = 429, ErrorCode = "usage_limit_reached" },
            },
        },
    };

    private GrpcChannel ChannelFor(Path path) => path switch
    {
        Path.GrpcThroughTheFrontDoor => GrpcChannel.ForAddress(_stack.Edge.Url),
        _ => GrpcChannel.ForAddress(path == Path.GrpcWebOnControlsPort ? _stack.Control.Url : _stack.Edge.Url, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = new Version(1, 1),
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }),
    };
}
