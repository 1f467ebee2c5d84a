using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Usage;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Pool;

/// <summary>
/// Applies what the Edges report, in batches: live usage from rate-limit headers, quota blocks (re-derived with the
/// shared rules and written to disk before the batch is acknowledged), last-used times, the request log, and session
/// bindings. Idempotent: reports carry a sequence number per Edge instance, and one at or below the Edge's last
/// applied number is skipped, so a batch sent again after a lost reply counts once.
/// </summary>
/// <remarks>
/// The applied numbers are kept in memory. After a Control restart a batch that was applied just before the crash may
/// come again and is applied again: its durable effects (blocks, last-used times, usage) are idempotent by nature, and
/// the counted ones (request log, usage history) were in memory and went with the crash. A store that makes the
/// counted ones durable must keep the applied numbers with them.
/// </remarks>
public sealed partial class PoolReportIntake(
    AccountStore store,
    SessionAffinity sessions,
    RequestLog requests,
    PoolFeed feed,
    UsageRecheck recheck,
    IOptions<PoolOptions> options,
    TimeProvider time,
    ILogger<PoolReportIntake> logger)
{
    private static readonly TimeSpan ForgetEdgeAfter = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, EdgeLedger> _edges = new(StringComparer.Ordinal);

    /// <summary>Applies the reports not applied yet; returns the Edge's applied-through number and the view version that reflects them.</summary>
    public async Task<(ulong AppliedThrough, long Version)> ApplyAsync(string edgeId, IReadOnlyList<V1.PoolReport> reports)
    {
        var ledger = _edges.GetOrAdd(edgeId, _ => new EdgeLedger());
        // One batch of an Edge at a time: a retry racing its own first try must not apply anything twice.
        await ledger.Gate.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            ledger.LastSeen = now;
            var fresh = reports.Where(r => r.Sequence > ledger.AppliedThrough).OrderBy(r => r.Sequence).ToList();
            var changes = new Dictionary<string, AccountChange>(StringComparer.Ordinal);
            var records = new List<RequestRecord>();
            foreach (var report in fresh)
            {
                var at = now - (report.Age?.ToTimeSpan() ?? TimeSpan.Zero);
                switch (report.KindCase)
                {
                    case V1.PoolReport.KindOneofCase.Attempt:
                        records.Add(Attempt(report.Attempt, at, now, changes));
                        break;
                    case V1.PoolReport.KindOneofCase.Answer when report.Answer.Attempts == 0:
                        // A request no account could take appears in the log too; answers after attempts are the attempts.
                        records.Add(AnswerRecord(report.Answer, at));
                        break;
                }
            }
            if (changes.Count > 0)
            {
                // Blocks are written to disk before the batch is acknowledged; the rest may follow shortly after. When
                // the write fails, nothing of the batch counts: the Edge sends it again.
                var blocking = changes.Values.Any(c => c.BlockUntil is not null);
                await store.UpdateAllAsync(a => changes.TryGetValue(a.Id, out var change) ? Apply(a, change, now) : a, deferSave: !blocking);
            }
            foreach (var record in records)
            {
                requests.Add(record);
            }
            // Bindings after the blocks: a conversation that moved because its account just got blocked is accepted.
            foreach (var report in fresh.Where(r => r.KindCase == V1.PoolReport.KindOneofCase.Binding))
            {
                var binding = report.Binding;
                sessions.Apply(binding.SessionKey, binding.AccountId, now - (report.Age?.ToTimeSpan() ?? TimeSpan.Zero), IsEligible);
            }
            foreach (var (accountId, change) in changes)
            {
                if (change.BlockUntil is not null)
                {
                    // The usage endpoint tells how far the windows really are; it may lengthen the block, never end it.
                    recheck.Request(accountId, RecheckReason.QuotaError);
                }
            }
            if (fresh.Count > 0)
            {
                ledger.AppliedThrough = fresh[^1].Sequence;
            }
            ForgetIdleEdges(now);
            return (ledger.AppliedThrough, feed.Version);
        }
        finally
        {
            ledger.Gate.Release();
        }
    }

    /// <summary>Notes what one attempt changes on its account; returns its request-log entry.</summary>
    private RequestRecord Attempt(V1.AttemptReport attempt, DateTimeOffset at, DateTimeOffset now, Dictionary<string, AccountChange> changes)
    {
        var duration = attempt.Duration?.ToTimeSpan() ?? TimeSpan.Zero;
        var started = at - duration;
        var errorCode = NullIfEmpty(attempt.ErrorCode);
        var errorMessage = NullIfEmpty(attempt.ErrorMessage);
        var blocked = false;
        if (store.Find(attempt.AccountId) is not null)
        {
            var change = changes.TryGetValue(attempt.AccountId, out var known) ? known : changes[attempt.AccountId] = new AccountChange();
            if (change.LastUsed is null || started > change.LastUsed)
            {
                change.LastUsed = started;
            }
            var headerUsage = UsageWindows.FromHeaders(attempt.RateLimitHeaders, at);
            if (headerUsage is not null && (change.Usage is null || headerUsage.ObservedAt >= change.Usage.ObservedAt))
            {
                change.Usage = UsageWindows.Merge(change.Usage, headerUsage);
            }
            if (QuotaSignals.IsQuota(attempt.StatusCode, errorCode, errorMessage))
            {
                var until = QuotaSignals.BlockUntil(errorCode, errorMessage, attempt.ResetsAt?.ToDateTimeOffset(), attempt.ResetsIn?.ToTimeSpan(),
                    headerUsage, at, options.Value.FallbackCooldown);
                if (until > now && (change.BlockUntil is null || until > change.BlockUntil))
                {
                    change.BlockUntil = until;
                    change.BlockReason = errorCode ?? "usage_limit_reached";
                }
                blocked = true;
            }
        }
        return new RequestRecord(started, NullIfEmpty(attempt.ClientName), attempt.AccountId, attempt.Model, attempt.StatusCode, errorCode,
            attempt.TimeToFirstByte?.ToTimeSpan(), duration, attempt.InputTokens, attempt.CachedInputTokens, attempt.OutputTokens,
            attempt.ReasoningTokens, blocked);
    }

    private AccountRecord Apply(AccountRecord account, AccountChange change, DateTimeOffset now)
    {
        var next = account;
        if (change.LastUsed is { } used && (account.LastUsedAt is null || used > account.LastUsedAt))
        {
            next = next with { LastUsedAt = used };
        }
        // A report that arrives late (queued while Control was away) never overwrites a newer probe.
        if (change.Usage is { } usage && (account.Usage is null || usage.ObservedAt >= account.Usage.ObservedAt))
        {
            next = next with { Usage = UsageWindows.Merge(account.Usage, usage) };
        }
        if (change.BlockUntil is { } until && !(account.IsBlockedAt(now) && account.Block!.Until >= until))
        {
            next = next with { Block = new AccountBlock(until, change.BlockReason!), UpdatedAt = now };
            Log.Blocked(logger, account.Id, change.BlockReason!, until);
        }
        return next;
    }

    private bool IsEligible(string accountId) =>
        store.Find(accountId) is { } account && AccountSelector.IsEligible(PoolMapper.ToRules(account), time.GetUtcNow(), new HashSet<string>());

    private static RequestRecord AnswerRecord(V1.AnswerReport answer, DateTimeOffset at)
    {
        var duration = answer.Duration?.ToTimeSpan() ?? TimeSpan.Zero;
        return new RequestRecord(at - duration, NullIfEmpty(answer.ClientName), "", answer.Model, answer.StatusCode, NullIfEmpty(answer.ErrorCode),
            null, duration, 0, 0, 0, 0, false);
    }

    private void ForgetIdleEdges(DateTimeOffset now)
    {
        foreach (var (id, ledger) in _edges)
        {
            if (ledger.LastSeen + ForgetEdgeAfter < now)
            {
                _edges.TryRemove(id, out _);
            }
        }
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>What one batch changes on one account.</summary>
    private sealed class AccountChange
    {
        public DateTimeOffset? LastUsed { get; set; }
        public AccountUsageSnapshot? Usage { get; set; }
        public DateTimeOffset? BlockUntil { get; set; }
        public string? BlockReason { get; set; }
    }

    private sealed class EdgeLedger
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ulong AppliedThrough { get; set; }
        public DateTimeOffset LastSeen { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Warning, "Account {AccountId} blocked ({Reason}) until {Until:u}")]
        public static partial void Blocked(ILogger logger, string accountId, string reason, DateTimeOffset until);
    }
}
