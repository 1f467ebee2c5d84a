using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>ADMIN_TOKEN is enforced alike on REST, native gRPC and gRPC-Web.</summary>
public sealed class AdminTokenTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    public static TheoryData<string?> RejectedTokens => new() { null, "", "wrong-token", Stack.AdminToken + "x" };

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Rest_MissingOrWrongToken_Returns401WithMessage(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/accounts");
        if (token is not null)
        {
            request.Headers.Add("x-admin-token", token);
        }

        var response = await _stack.Edge.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("x-admin-token", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rest_RightToken_Returns200()
    {
        var response = await _stack.Admin.GetAsync("/admin/accounts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Grpc_MissingOrWrongToken_IsUnauthenticated(string? token)
    {
        var client = new AccountService.AccountServiceClient(_stack.Control.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListAccountsAsync(new(), WithToken(token)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task GrpcWeb_MissingOrWrongToken_IsUnauthenticated(string? token)
    {
        var client = new AccountService.AccountServiceClient(_stack.GrpcWeb);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListAccountsAsync(new(), WithToken(token)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task GrpcAndGrpcWeb_RightToken_Succeed()
    {
        var native = await new AccountService.AccountServiceClient(_stack.Control.Channel).ListAccountsAsync(new(), Stack.Authorized);
        var web = await new AccountService.AccountServiceClient(_stack.GrpcWeb).ListAccountsAsync(new(), Stack.Authorized);

        Assert.Empty(native.Accounts);
        Assert.Empty(web.Accounts);
    }

    [Fact]
    public async Task HealthCheck_NeedsNoToken()
    {
        var reply = await new Health.HealthClient(_stack.Control.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    private static CallOptions WithToken(string? token) =>
        new(token is null ? [] : new Metadata { { "x-admin-token", token } }, DateTime.UtcNow.AddSeconds(30));
}
