using System.Collections.Concurrent;
using Grpc.Core;
using MultiCodex.Edge.ClientKeys;
using MultiCodex.Edge.Observability;
using MultiCodex.Pool;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// The pool on the Edge: leases from the local copy of Control's view (<see cref="PoolView"/>), so neither call
/// waits for Control in the steady state. Outcomes apply locally at once and reach Control in the background
/// (<see cref="ReportSender"/>); the only call to Control left on the request path is a token refresh after a 401.
/// </summary>
internal sealed partial class AccountPool(
    PoolView view, PoolWatcher watcher, ReportQueue reports, KeyLedger keys, PoolControlClient control, EdgeIdentity identity, TimeProvider time,
    ILogger<AccountPool> logger) : IAccountPool
{
    /// <summary>How long a lease may wait for the first view at start (Control and the Edge start in any order).</summary>
    private static readonly TimeSpan FirstViewWait = TimeSpan.FromSeconds(5);

    /// <summary>How long an account whose token the upstream refused (and no fresh one could be had) is passed over.</summary>
    private static readonly TimeSpan RefusedCooldown = TimeSpan.FromSeconds(30);

    /// <summary>Longer session keys are hashed: they travel to Control and every Edge, and live in memory for an hour.</summary>
    private const int LongestSessionKey = 128;

    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _refreshes = new(StringComparer.Ordinal);
    private long _leases;

    public async ValueTask<LeaseResult> AcquireAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        using var span = EdgeTracing.StartLease(request);
        var result = await LeaseAsync(request, cancellationToken);
        EdgeTracing.Leased(span, result);
        return result;
    }

    private async ValueTask<LeaseResult> LeaseAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        if (!view.HasView && !await watcher.WaitForViewAsync(FirstViewWait, cancellationToken))
        {
            return new LeaseResult(null, null, "The proxy has not reached its control service yet; try again shortly.");
        }
        var sessionKey = SessionKeyOf(request.SessionKey);
        var firstAttempt = request.ExcludedAccountIds.Count == 0;
        var excluded = firstAttempt ? null : request.ExcludedAccountIds as IReadOnlySet<string> ?? new HashSet<string>(request.ExcludedAccountIds, StringComparer.Ordinal);
        var demand = new ModelDemand(request.Model, request.MaySwitchToReserve, request.AllowedAccountIds);
        var grant = view.Lease(sessionKey, excluded, firstAttempt, demand);
        // Nothing eligible: perhaps an account was added (or unblocked) a moment ago and is still on its way here.
        if (grant.Slot is null && await watcher.CatchUpAsync(cancellationToken))
        {
            grant = view.Lease(sessionKey, excluded, firstAttempt, demand);
        }
        if (grant.Slot is not { } slot)
        {
            return new LeaseResult(null, grant.Unavailable!.RetryAt, grant.Unavailable.Reason, grant.Unavailable.FirstFree);
        }
        var selection = grant.Selection!;
        return new LeaseResult(new AccountLease($"{identity.Id}-{Interlocked.Increment(ref _leases)}", slot.AccountId, selection.Account.Email,
            grant.AccessToken, slot.ChatGptAccountId, selection, selection.Route.Reserve?.Key, selection.Route.UpstreamModel));
    }

    public async ValueTask<OutcomeVerdict> CompleteAsync(AccountLease lease, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var blocked = view.Complete(lease, outcome, PoolReports.Attempt(lease, outcome));
        var refreshed = outcome.Status == StatusCodes.Status401Unauthorized && await RefreshAsync(lease, cancellationToken);
        return new OutcomeVerdict(blocked, refreshed);
    }

    public void RecordAnswer(ClientAnswer answer)
    {
        var sequence = reports.Enqueue(PoolReports.Answer(answer), urgent: false);
        keys.Answered(answer.RequestId, answer.ClientKeyId is not null && BudgetCounting.Counts(answer.Endpoint, answer.Attempts),
            answer.Usage.InputTokens + answer.Usage.OutputTokens, sequence);
    }

    /// <summary>
    /// After a 401: asks Control for a fresh token, once per account however many requests met the 401 at the same
    /// time (Control single-flights too, across Edges). True when the next lease of the account carries a new token.
    /// </summary>
    private async Task<bool> RefreshAsync(AccountLease lease, CancellationToken cancellationToken)
    {
        if (view.CurrentToken(lease.AccountId) is { } current && current != lease.AccessToken)
        {
            return true; // refreshed meanwhile
        }
        var refresh = _refreshes.GetOrAdd(lease.AccountId, _ => new Lazy<Task<bool>>(() => RefreshCoreAsync(lease.AccountId, lease.AccessToken)));
        try
        {
            return await refresh.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (refresh.Value.IsCompleted)
            {
                _refreshes.TryRemove(new KeyValuePair<string, Lazy<Task<bool>>>(lease.AccountId, refresh));
            }
        }
    }

    private async Task<bool> RefreshCoreAsync(string accountId, string refusedToken)
    {
        await Task.Yield();
        try
        {
            // Not cancelled with the client: the refresh is worth finishing for the requests after it.
            var reply = await control.RefreshAccessTokenAsync(accountId, refusedToken, CancellationToken.None);
            if (reply.AccessToken.Length > 0 && reply.AccessToken != refusedToken)
            {
                view.TokenRefreshed(accountId, reply.AccessToken, reply.AccessTokenExpireTime?.ToDateTimeOffset(), reply.Epoch, reply.Version);
                return true;
            }
            Log.RefreshRefused(logger, accountId, reply.ReauthReason.Length > 0 ? "re-auth required: " + reply.ReauthReason : reply.Error.Length > 0 ? reply.Error : "no new token");
        }
        catch (RpcException e)
        {
            Log.RefreshUnavailable(logger, accountId, e.StatusCode);
        }
        view.TokenRefused(accountId, time.GetUtcNow() + RefusedCooldown);
        return false;
    }

    private static string? SessionKeyOf(string? key) =>
        string.IsNullOrEmpty(key) ? null
        : key.Length <= LongestSessionKey ? key
        : "sha256:" + Sha256Hex.Of(key);

    private static partial class Log
    {
        [LoggerMessage(2421, LogLevel.Warning, "The upstream refused the token of account {AccountId} and Control has no fresh one ({Reason}); passing it over for now")]
        public static partial void RefreshRefused(ILogger logger, string accountId, string reason);

        [LoggerMessage(2422, LogLevel.Warning, "The upstream refused the token of account {AccountId} and Control cannot refresh it now ({Status}); passing it over for now")]
        public static partial void RefreshUnavailable(ILogger logger, string accountId, StatusCode status);
    }
}
