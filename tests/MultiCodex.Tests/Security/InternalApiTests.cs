using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using MultiCodex.Control.V1;
using MultiCodex.Hosting;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// LeaseService and the key-digest feed are internal: a browser or a remote client can reach neither through the
/// front door nor over gRPC-Web, even with the admin token (AcquireLease hands out a raw upstream access token,
/// ReportOutcome can forge quota blocks). Only native gRPC on Control's own port serves them, as the Edge calls them.
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
    public async Task LeaseAndDigestCalls_AreRefused_EvenWithTheAdminToken(Path path)
    {
        await _stack.AddAccountAsync(TestTokens.For("leased@example.com"));
        using var channel = ChannelFor(path);

        var acquire = await Assert.ThrowsAsync<RpcException>(() =>
            new LeaseService.LeaseServiceClient(channel).AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }, Stack.Authorized).ResponseAsync);
        var report = await Assert.ThrowsAsync<RpcException>(() => new LeaseService.LeaseServiceClient(channel).ReportOutcomeAsync(
            new ReportOutcomeRequest { LeaseId = "lease_forged", StatusCode = 429, ErrorCode = "usage_limit_reached" }, Stack.Authorized).ResponseAsync);
        var digests = await Assert.ThrowsAsync<RpcException>(() =>
            new ApiKeyService.ApiKeyServiceClient(channel).ListApiKeyDigestsAsync(new ListApiKeyDigestsRequest(), Stack.Authorized).ResponseAsync);

        Assert.All([acquire, report, digests], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("internal", acquire.Status.Detail);
    }

    [Fact]
    public async Task NativeGrpcOnControlsPort_ServesTheEdge_WithTheAdminToken()
    {
        await _stack.AddAccountAsync(TestTokens.For("edge-only@example.com"));
        var leases = new LeaseService.LeaseServiceClient(_stack.Control.Channel);

        var lease = await leases.AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }, Stack.Authorized);
        var withoutToken = await Assert.ThrowsAsync<RpcException>(() => leases.AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }).ResponseAsync);

        Assert.NotNull(lease.Lease);
        Assert.Equal(StatusCode.Unauthenticated, withoutToken.StatusCode);
    }

    [Fact]
    public async Task ACallAnEdgeForwarded_IsRefusedByControlToo()
    {
        // Defence in depth: what reaches Control through any front door carries X-Forwarded-For; the Edge's own calls do not.
        var forwarded = new Grpc.Core.Metadata { { "x-admin-token", Stack.AdminToken }, { "x-forwarded-for", "203.0.113.7" } };

        var refused = await Assert.ThrowsAsync<RpcException>(() => new LeaseService.LeaseServiceClient(_stack.Control.Channel)
            .AcquireLeaseAsync(new AcquireLeaseRequest { Model = "gpt-5.5" }, new CallOptions(forwarded)).ResponseAsync);
        var allowed = await new AccountService.AccountServiceClient(_stack.Control.Channel).ListAccountsAsync(new(), new CallOptions(forwarded));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Empty(allowed.Accounts);
    }

    [Fact]
    public async Task PublicMethods_StillWorkOverGrpcWeb()
    {
        var keys = await new ApiKeyService.ApiKeyServiceClient(_stack.GrpcWeb).ListApiKeysAsync(new ListApiKeysRequest(), Stack.Authorized);
        var usage = await new UsageService.UsageServiceClient(_stack.GrpcWeb).ListRequestsAsync(new ListRequestsRequest(), Stack.Authorized);

        Assert.Empty(keys.ApiKeys);
        Assert.Empty(usage.Requests);
    }

    [Fact]
    public void PublicSurface_IsTheAdminRoutes_AndNothingInternal()
    {
        Assert.Contains("/multicodex.control.v1.AccountService/ExportAccount", PublicGrpcApi.Methods);
        Assert.Contains("/multicodex.control.v1.ApiKeyService/CreateApiKey", PublicGrpcApi.Methods);
        Assert.DoesNotContain(PublicGrpcApi.Methods, m => m.StartsWith("/multicodex.control.v1.LeaseService/", StringComparison.Ordinal));
        Assert.DoesNotContain("/multicodex.control.v1.ApiKeyService/ListApiKeyDigests", PublicGrpcApi.Methods);
        Assert.DoesNotContain("/multicodex.control.v1.ApiKeyService/WatchApiKeyDigests", PublicGrpcApi.Methods);
    }

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
