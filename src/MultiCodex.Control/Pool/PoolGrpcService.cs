using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Infrastructure.Grpc;
using MultiCodex.Control.Tokens;
using MultiCodex.Control.V1;
using MultiCodex.Control.WebSocketSessions;
using MultiCodex.Pool;

namespace MultiCodex.Control.Pool;

/// <summary>Maps PoolService calls from the Edges onto the feed, the report intake and the token refresher. Native gRPC only.</summary>
internal sealed partial class PoolGrpcService(
    PoolFeed feed, PoolReportIntake intake, AccountStore store, TokenRefresher refresher, WebSocketSessionDirectory webSockets,
    ILogger<PoolGrpcService> logger)
    : PoolService.PoolServiceBase
{
    public override async Task WatchPool(WatchPoolRequest request, IServerStreamWriter<WatchPoolResponse> responseStream, ServerCallContext context)
    {
        using var watch = feed.Watch(request.EdgeId);
        Log.EdgeConnected(logger, request.EdgeId);
        webSockets.WatchStarted(request.EdgeId);
        try
        {
            await responseStream.WriteAsync(watch.Full(), context.CancellationToken);
            while (await watch.WaitAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(watch.Changes(), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The Edge went away (or Control is stopping).
        }
        finally
        {
            webSockets.WatchEnded(request.EdgeId);
        }
        Log.EdgeDisconnected(logger, request.EdgeId);
    }

    public override async Task<ReportOutcomesResponse> ReportOutcomes(ReportOutcomesRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.EdgeId))
        {
            ControlErrors.InvalidArgument("edge_id", "The Edge's instance id is required: sequence numbers are counted per instance.");
        }
        var (appliedThrough, version) = await intake.ApplyAsync(request.EdgeId, request.Reports);
        return new ReportOutcomesResponse { AppliedThrough = appliedThrough, Epoch = feed.Epoch, Version = version };
    }

    public override async Task<RefreshAccessTokenResponse> RefreshAccessToken(RefreshAccessTokenRequest request, ServerCallContext context)
    {
        var account = store.Find(request.AccountId);
        if (account is null)
        {
            ControlErrors.AccountNotFound(request.AccountId);
        }
        // Only the token the upstream refused is refreshed; one refreshed meanwhile (by another Edge) is simply returned.
        var refused = Sha256Hex.Of(account.Tokens.AccessToken) == request.RefusedTokenSha256 ? account.Tokens.AccessToken : null;
        var outcome = refused is null
            ? new RefreshOutcome(RefreshStatus.AlreadyFresh, account)
            : await refresher.RefreshAsync(account.Id, "unauthorized_recovery", refused);
        var response = new RefreshAccessTokenResponse { Epoch = feed.Epoch, Version = feed.Version };
        switch (outcome.Status)
        {
            case RefreshStatus.Refreshed or RefreshStatus.AlreadyFresh:
                var tokens = outcome.Account!.Tokens;
                response.AccessToken = tokens.AccessToken;
                if (tokens.AccessTokenExpiresAt is { } expires)
                {
                    response.AccessTokenExpireTime = Timestamp.FromDateTimeOffset(expires);
                }
                break;
            case RefreshStatus.ReauthRequired:
                response.ReauthReason = outcome.Reason ?? "reauth_required";
                break;
            case RefreshStatus.UnknownAccount:
                ControlErrors.AccountNotFound(request.AccountId);
                break;
            default:
                response.Error = outcome.Reason ?? "the token could not be refreshed";
                break;
        }
        return response;
    }

    public override Task<GetPoolVersionResponse> GetPoolVersion(GetPoolVersionRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPoolVersionResponse { Epoch = feed.Epoch, Version = feed.Version });


    private static partial class Log
    {
        [LoggerMessage(1402, LogLevel.Information, "Edge {EdgeId} follows the pool")]
        public static partial void EdgeConnected(ILogger logger, string edgeId);

        [LoggerMessage(1403, LogLevel.Information, "Edge {EdgeId} stopped following the pool")]
        public static partial void EdgeDisconnected(ILogger logger, string edgeId);
    }
}
