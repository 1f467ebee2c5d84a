using System.Net;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Hosting;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// Guessing the admin token is limited per client address: after <see cref="AdminTokenVerifier.FailuresPerWindow"/>
/// wrong tokens the address gets 429 with Retry-After (RESOURCE_EXHAUSTED over gRPC) for the rest of the minute,
/// whatever it sends. A client with the right token is never counted, however many calls it makes.
/// </summary>
public sealed class AdminTokenGuessingTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task WrongTokens_ThroughTheFrontDoor_Get429WithRetryAfter_ThenEvenTheRightOneWaits()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= AdminTokenVerifier.FailuresPerWindow; i++)
        {
            statuses.Add((await GetAccountsAsync(_stack.Edge.Url, $"guess-{i}")).StatusCode);
        }
        var locked = await GetAccountsAsync(_stack.Edge.Url, "guess-again");
        var right = await GetAccountsAsync(_stack.Edge.Url, Stack.AdminToken);
        var grpcWeb = await Assert.ThrowsAsync<RpcException>(() =>
            new AccountService.AccountServiceClient(_stack.GrpcWeb).ListAccountsAsync(new(), Stack.Authorized).ResponseAsync);

        Assert.All(statuses.Take(AdminTokenVerifier.FailuresPerWindow), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), AdminTokenVerifier.Window);
        Assert.Contains("Too many wrong admin tokens", await locked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, grpcWeb.StatusCode);
        // The Edge refused them itself: Control never counted a failure, so the Edge's own calls to Control go on.
        await _stack.Edge.SyncPoolAsync();
        Assert.Equal(HttpStatusCode.OK, (await _stack.Edge.Http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAccountsAsync(_stack.Control.Url, Stack.AdminToken)).StatusCode);
    }

    [Fact]
    public async Task TheRightToken_IsNeverCounted()
    {
        for (var i = 0; i < 5 * AdminTokenVerifier.FailuresPerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAccountsAsync(_stack.Edge.Url, Stack.AdminToken)).StatusCode);
        }

        var wrong = await GetAccountsAsync(_stack.Edge.Url, "one-typo");
        var missing = await GetAccountsAsync(_stack.Edge.Url, null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
    }

    [Fact]
    public async Task WrongTokens_OnControlsOwnPort_AreLimitedThere_RestAndGrpc()
    {
        for (var i = 0; i < AdminTokenVerifier.FailuresPerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAccountsAsync(_stack.Control.Url, $"direct-{i}")).StatusCode);
        }

        var rest = await GetAccountsAsync(_stack.Control.Url, "direct-again");
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new AccountService.AccountServiceClient(_stack.Control.Channel)
            .ListAccountsAsync(new(), new CallOptions(new Metadata { { "x-admin-token", "grpc-guess" } })).ResponseAsync);

        Assert.Equal(HttpStatusCode.TooManyRequests, rest.StatusCode);
        Assert.NotNull(rest.Headers.RetryAfter);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
    }

    [Fact]
    public async Task Metrics_OnBothPorts_NeedTheToken_AsHeaderOrAsPrometheusBearer()
    {
        foreach (var server in new[] { _stack.Edge.Url, _stack.Control.Url })
        {
            using var http = new HttpClient { BaseAddress = server };
            var open = await http.GetAsync("/metrics");
            using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            bearer.Headers.Authorization = new("Bearer", Stack.AdminToken);
            var scraped = await http.SendAsync(bearer);
            using var header = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            header.Headers.Add("x-admin-token", Stack.AdminToken);
            var withHeader = await http.SendAsync(header);

            Assert.Equal(HttpStatusCode.Unauthorized, open.StatusCode);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
            Assert.Contains("multicodex_", await scraped.Content.ReadAsStringAsync());
        }
    }

    private static async Task<HttpResponseMessage> GetAccountsAsync(Uri server, string? token)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/accounts");
        if (token is not null)
        {
            request.Headers.Add("x-admin-token", token);
        }
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
