using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Leasing;

namespace MultiCodex.Edge.Pool;

/// <summary>
/// A stand-in for the pool until Control pushes its live view to the Edge: every lease and every outcome is a call
/// to Control's LeaseService (AcquireLease, ReportOutcome), as before the pool existed. A success needs no verdict, so
/// its report travels in the background (the client's connection is not held for it) and is waited for when the Edge
/// stops. Answers are not recorded here (Control's request log is fed by the outcome reports). Account emails come
/// from Control once per account.
/// </summary>
public sealed partial class ControlLeasePool(ControlClient control, ILogger<ControlLeasePool> logger) : IAccountPool, IAsyncDisposable
{
    private static readonly OutcomeVerdict NoVerdict = new(false, false);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, string> _emails = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _reporting = new();

    public async ValueTask<LeaseResult> AcquireAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        var call = new AcquireLeaseRequest { Model = request.Model, SessionKey = request.SessionKey ?? "", ClientName = request.ClientName ?? "" };
        call.ExcludedAccountIds.AddRange(request.ExcludedAccountIds);
        AcquireLeaseResponse reply;
        try
        {
            reply = await control.AcquireAsync(call, cancellationToken);
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken); // the client went away: not Control's fault
        }
        catch (RpcException e)
        {
            Log.ControlUnavailable(logger, e.StatusCode);
            return new LeaseResult(null, null, "The proxy's control service is unavailable; try again shortly.");
        }
        if (reply.Lease is not { } lease)
        {
            return new LeaseResult(null, reply.RetryTime?.ToDateTimeOffset(), reply.UnavailableReason);
        }
        return new LeaseResult(new AccountLease(lease.LeaseId, lease.AccountId, await EmailAsync(lease.AccountId), lease.AccessToken,
            lease.ChatgptAccountId, lease.Rule, lease.Explanation));
    }

    public async ValueTask<OutcomeVerdict> CompleteAsync(AccountLease lease, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var report = new ReportOutcomeRequest
        {
            LeaseId = lease.LeaseId,
            StatusCode = outcome.Status,
            ErrorCode = outcome.ErrorCode ?? "",
            ErrorMessage = outcome.ErrorMessage ?? "",
            ResetsAt = outcome.ResetsAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            ResetsIn = outcome.ResetsIn is { } resetsIn ? Duration.FromTimeSpan(resetsIn) : null,
            InputTokens = outcome.Usage.InputTokens,
            CachedInputTokens = outcome.Usage.CachedInputTokens,
            OutputTokens = outcome.Usage.OutputTokens,
            ReasoningTokens = outcome.Usage.ReasoningTokens,
            TimeToFirstByte = outcome.TimeToFirstByte is { } ttfb ? Duration.FromTimeSpan(ttfb) : null,
            Duration = Duration.FromTimeSpan(outcome.Duration),
        };
        foreach (var (name, value) in outcome.RateLimitHeaders)
        {
            report.RateLimitHeaders[name] = value;
        }
        if (outcome.Status is >= 200 and < 300 && outcome.ErrorCode is null)
        {
            var sending = ReportAsync(report, lease);
            _reporting.TryAdd(sending, 0);
            _ = sending.ContinueWith(t => _reporting.TryRemove(t, out _), TaskScheduler.Default);
            return NoVerdict;
        }
        return await ReportAsync(report, lease);
    }

    public void RecordAnswer(ClientAnswer answer)
    {
    }

    /// <summary>When the Edge stops: reports still travelling reach Control first (bounded).</summary>
    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_reporting.Keys).WaitAsync(DrainLimit).ContinueWith(static _ => { }, TaskScheduler.Default);

    private async Task<OutcomeVerdict> ReportAsync(ReportOutcomeRequest report, AccountLease lease)
    {
        try
        {
            var reply = await control.ReportAsync(report, CancellationToken.None);
            return new OutcomeVerdict(reply.AccountBlocked, reply.TokenRefreshed);
        }
        catch (RpcException e)
        {
            Log.ReportFailed(logger, lease.LeaseId, e.StatusCode);
            return NoVerdict;
        }
    }

    // The lease names the account by id; the explain header and the log name it by email.
    private async ValueTask<string> EmailAsync(string accountId)
    {
        if (_emails.TryGetValue(accountId, out var email))
        {
            return email;
        }
        try
        {
            var reply = await control.GetAccountAsync(accountId, CancellationToken.None);
            email = reply.Account?.Email is { Length: > 0 } known ? known : accountId;
        }
        catch (RpcException)
        {
            return accountId;
        }
        _emails[accountId] = email;
        return email;
    }

    private static partial class Log
    {
        [LoggerMessage(2451, LogLevel.Warning, "Could not report the outcome of lease {LeaseId} to Control ({Status})")]
        public static partial void ReportFailed(ILogger logger, string leaseId, StatusCode status);

        [LoggerMessage(2452, LogLevel.Warning, "Control is unavailable ({Status}); /v1 requests fail until it is back")]
        public static partial void ControlUnavailable(ILogger logger, StatusCode status);
    }
}
