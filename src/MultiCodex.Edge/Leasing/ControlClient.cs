using Grpc.Core;
using MultiCodex.Control.V1;
using Polly;
using Polly.Retry;

namespace MultiCodex.Edge.Leasing;

/// <summary>
/// The Edge's calls to Control over gRPC (h2c): leases, outcome reports, account details and client-key digests. Each call carries
/// the admin token and is retried briefly while Control is unreachable (a restart), then fails.
/// </summary>
public sealed class ControlClient(
    LeaseService.LeaseServiceClient leases, ApiKeyService.ApiKeyServiceClient keys, AccountService.AccountServiceClient accounts, EdgeOptions options, TimeProvider time)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly Metadata _headers = options.AdminToken is { } token ? new Metadata { { "x-admin-token", token } } : [];

    private readonly ResiliencePipeline _retry = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode is StatusCode.Unavailable),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public Task<AcquireLeaseResponse> AcquireAsync(AcquireLeaseRequest request, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await leases.AcquireLeaseAsync(request, Options(ct)), cancellationToken).AsTask();

    public Task<ReportOutcomeResponse> ReportAsync(ReportOutcomeRequest request, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await leases.ReportOutcomeAsync(request, Options(ct)), cancellationToken).AsTask();

    public Task<GetAccountResponse> GetAccountAsync(string id, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await accounts.GetAccountAsync(new GetAccountRequest { Id = id }, Options(ct)), cancellationToken).AsTask();

    public Task<ListApiKeyDigestsResponse> ListKeyDigestsAsync(CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(async ct => await keys.ListApiKeyDigestsAsync(new ListApiKeyDigestsRequest(), Options(ct)), cancellationToken).AsTask();

    /// <summary>Follows the key digests: a message now and after every change. No deadline: it lives as long as the Edge.</summary>
    public AsyncServerStreamingCall<WatchApiKeyDigestsResponse> WatchKeyDigests(CancellationToken cancellationToken) =>
        keys.WatchApiKeyDigests(new WatchApiKeyDigestsRequest(), new CallOptions(_headers, cancellationToken: cancellationToken));

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(_headers, deadline: time.GetUtcNow().UtcDateTime + CallTimeout, cancellationToken: cancellationToken);
}
