using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>The account operations behave the same over native gRPC (Control's port) and gRPC-Web (the front door).</summary>
public sealed class GrpcParityTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    public enum Transport { Grpc, GrpcWeb }

    [Theory]
    [InlineData(Transport.Grpc)]
    [InlineData(Transport.GrpcWeb)]
    public async Task AccountLifecycle_CreateListUpdateUnblockDelete(Transport transport)
    {
        var client = new AccountService.AccountServiceClient(ChannelFor(transport));
        var tokens = TestTokens.For($"{transport}@example.com");

        var created = await client.CreateAccountAsync(new CreateAccountRequest
        {
            Tokens = new AccountTokens { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, IdToken = tokens.IdToken },
            Priority = 2,
        }, Stack.Authorized);
        var listed = await client.ListAccountsAsync(new ListAccountsRequest(), Stack.Authorized);
        var updated = await client.UpdateAccountAsync(new UpdateAccountRequest
        {
            Account = new Account { Id = created.Account.Id, Label = "renamed", Enabled = false },
            UpdateMask = FieldMask.FromString("label,enabled"),
        }, Stack.Authorized);
        var unblocked = await client.UnblockAccountAsync(new UnblockAccountRequest { Id = created.Account.Id }, Stack.Authorized);
        await client.DeleteAccountAsync(new DeleteAccountRequest { Id = created.Account.Id }, Stack.Authorized);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetAccountAsync(new GetAccountRequest { Id = created.Account.Id }, Stack.Authorized).ResponseAsync);

        Assert.True(created.Created);
        Assert.Equal(2, created.Account.Priority);
        Assert.Equal(created.Account.Id, Assert.Single(listed.Accounts).Id);
        Assert.Equal("renamed", updated.Account.Label);
        Assert.Equal(Account.Types.State.Disabled, updated.Account.State);
        Assert.Equal(Account.Types.State.Disabled, unblocked.Account.State);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private GrpcChannel ChannelFor(Transport transport) => transport == Transport.Grpc ? _stack.Control.Channel : _stack.GrpcWeb;
}
