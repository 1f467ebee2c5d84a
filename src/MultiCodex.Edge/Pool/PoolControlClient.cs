using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Pool;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// The Edge's calls to Control's PoolService over native gRPC (h2c), each with the admin token. No retries here: the
/// callers keep their own state (the watcher reconnects, the sender redelivers) and never make a client wait for them.
/// </summary>
public sealed class PoolControlClient(PoolService.PoolServiceClient client, EncodedReportsClient reports, EdgeOptions options, TimeProvider time)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly Metadata _headers = options.AdminToken is { } token ? new Metadata { { "x-admin-token", token } } : [];

    /// <summary>Follows the pool: the whole view, then every change. No deadline: it lives as long as the Edge.</summary>
    public AsyncServerStreamingCall<WatchPoolResponse> Watch(string edgeId, CancellationToken cancellationToken) =>
        client.WatchPool(new WatchPoolRequest { EdgeId = edgeId }, new CallOptions(_headers, cancellationToken: cancellationToken));

    /// <summary>Delivers a batch of reports: an encoded <see cref="ReportOutcomesRequest"/> (<see cref="ReportBatch.Encode"/>).</summary>
    public async Task<ReportOutcomesResponse> ReportAsync(byte[] request, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken);
        return await reports.ReportOutcomesAsync(request, new CallOptions(_headers, cancellationToken: timeout.Token));
    }

    public async Task<RefreshAccessTokenResponse> RefreshAccessTokenAsync(string accountId, string refusedToken, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken);
        var request = new RefreshAccessTokenRequest
        {
            AccountId = accountId,
            RefusedTokenSha256 = Sha256Hex.Of(refusedToken),
        };
        return await client.RefreshAccessTokenAsync(request, new CallOptions(_headers, cancellationToken: timeout.Token));
    }

    public async Task<GetPoolVersionResponse> GetPoolVersionAsync(CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken);
        return await client.GetPoolVersionAsync(new GetPoolVersionRequest(), new CallOptions(_headers, cancellationToken: timeout.Token));
    }

    // A cancellation token on the TimeProvider rather than a gRPC deadline, which is always wall-clock.
    private TimedToken Timeout(CancellationToken cancellationToken) => new(CallTimeout, time, cancellationToken);
}

/// <summary>A token cancelled by its caller's token or after a time on the <see cref="TimeProvider"/>, whichever comes first.</summary>
internal sealed class TimedToken : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public TimedToken(TimeSpan after, TimeProvider time, CancellationToken cancellationToken)
    {
        _timer = new CancellationTokenSource(after, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>True when the time ran out (not the caller's token).</summary>
    public bool TimedOut => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
