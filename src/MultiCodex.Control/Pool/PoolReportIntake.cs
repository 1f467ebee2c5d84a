using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Control.History;
using MultiCodex.Control.Observability;
using MultiCodex.Control.Usage;
using MultiCodex.Control.WebSocketSessions;
using MultiCodex.Pool.ClientKeys;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Pool;

/// <summary>
/// Applies what the Edges report, in batches: live usage from rate-limit headers, quota blocks (re-derived with the
/// shared rules and written to disk before the batch is acknowledged), last-used times, the request history, and
/// session bindings. Idempotent: reports carry a sequence number per Edge instance, and one at or below the Edge's last
/// applied number is skipped, so a batch sent again after a lost reply counts once.
/// </summary>
/// <remarks>
/// The applied numbers are kept in memory. After a Control restart a batch that was applied just before the crash may
/// come again and is applied again: its durable effects (blocks, last-used times, usage) are idempotent by nature, and
/// so is the history (an attempt is stored by request id and number, an answer by request id). The history is written
/// by its own background writer; the batch waits for that commit a short while (<see cref="HistoryCommitWait"/>), so
/// that what is acknowledged is stored, but a slow or failing disk never holds the reports up for longer.
/// </remarks>
public sealed partial class PoolReportIntake(
    AccountStore store,
    SessionAffinity sessions,
    HistoryWriter history,
    KeyBudgetCounters budgets,
    PoolFeed feed,
    UsageRecheck recheck,
    WebSocketSessionDirectory webSockets,
    IOptions<PoolOptions> options,
    TimeProvider time,
    ILogger<PoolReportIntake> logger)
{
    private static readonly TimeSpan ForgetEdgeAfter = TimeSpan.FromDays(1);
    private static readonly TimeSpan HistoryCommitWait = TimeSpan.FromSeconds(2);
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
            var records = new List<HistoryEntry>();
            var keyRequests = new List<KeyIncrement>();
            foreach (var report in fresh)
            {
                var at = now - (report.Age?.ToTimeSpan() ?? TimeSpan.Zero);
                switch (report.KindCase)
                {
                    case V1.PoolReport.KindOneofCase.Attempt:
                        var span = ControlTelemetry.StartApplying(report.Attempt, edgeId);
                        var entry = Attempt(report.Attempt, RequestIdOf(report.Attempt.RequestId, edgeId, report), at, now, changes);
                        ControlTelemetry.Applied(span, entry.Blocked);
                        records.Add(entry);
                        break;
                    case V1.PoolReport.KindOneofCase.Answer:
                        var answer = AnswerRecord(report.Answer, RequestIdOf(report.Answer.RequestId, edgeId, report), at);
                        records.Add(answer);
                        if (CountsForBudgets(report.Answer))
                        {
                            keyRequests.Add(new KeyIncrement(answer.KeyId, answer.Time, report.Answer.InputTokens + report.Answer.OutputTokens));
                        }
                        break;
                    case V1.PoolReport.KindOneofCase.WebsocketSessions:
                        webSockets.Apply(edgeId, report.WebsocketSessions, at);
                        break;
                }
            }
            if (changes.Count > 0)
            {
                // Blocks are written to disk before the batch is acknowledged; the rest may follow shortly after. When
                // the write fails, nothing of the batch counts: the Edge sends it again.
                var blocking = changes.Values.Any(c => c.Blocks.Count > 0);
                await store.UpdateAllAsync(a => changes.TryGetValue(a.Id, out var change) ? Apply(a, change, now) : a, deferSave: !blocking);
            }
            // Before the version is read below: the acknowledgement names a view that holds these counts.
            budgets.Add(edgeId, fresh.Count > 0 ? fresh[^1].Sequence : 0, keyRequests);
            var stored = records.Count > 0 ? history.WriteAsync(records) : Task.FromResult(true);
            // Bindings after the blocks: a conversation that moved because its account just got blocked is accepted.
            foreach (var report in fresh.Where(r => r.KindCase == V1.PoolReport.KindOneofCase.Binding))
            {
                var binding = report.Binding;
                sessions.Apply(binding.SessionKey, binding.AccountId, now - (report.Age?.ToTimeSpan() ?? TimeSpan.Zero), IsEligible);
            }
            foreach (var (accountId, change) in changes)
            {
                if (change.Blocks.Count > 0)
                {
                    // The usage endpoint tells how far the windows really are; it may lengthen the block, never end it.
                    recheck.Request(accountId, mayClearBlock: false);
                }
            }
            if (fresh.Count > 0)
            {
                ledger.AppliedThrough = fresh[^1].Sequence;
            }
            ForgetIdleEdges(now);
            // Bounded: a failing store is the writer's to report (logged, counted); it must not stall the reports.
            await ((Task)stored).WaitAsync(HistoryCommitWait, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return (ledger.AppliedThrough, feed.Version);
        }
        finally
        {
            ledger.Gate.Release();
        }
    }

    /// <summary>Notes what one attempt changes on its account; returns its history entry.</summary>
    private AttemptEntry Attempt(V1.AttemptReport attempt, string requestId, DateTimeOffset at, DateTimeOffset now, Dictionary<string, AccountChange> changes)
    {
        var duration = attempt.Duration?.ToTimeSpan() ?? TimeSpan.Zero;
        var started = at - duration;
        var errorCode = NullIfEmpty(attempt.ErrorCode);
        var errorMessage = NullIfEmpty(attempt.ErrorMessage);
        var blocked = false;
        var account = store.Find(attempt.AccountId);
        if (account is not null)
        {
            var change = changes.TryGetValue(attempt.AccountId, out var known) ? known : changes[attempt.AccountId] = new AccountChange();
            if (change.LastUsed is null || started > change.LastUsed)
            {
                change.LastUsed = started;
            }
            var headerUsage = UsageMeters.FromHeaders(attempt.RateLimitHeaders, at);
            if (headerUsage is not null && (change.Usage is null || headerUsage.ObservedAt >= change.Usage.ObservedAt))
            {
                change.Usage = UsageMeters.Merge(change.Usage, headerUsage);
            }
            var reachedType = attempt.RateLimitHeaders.GetValueOrDefault(QuotaSignals.ReachedTypeHeader);
            if (QuotaSignals.IsQuota(attempt.StatusCode, errorCode, errorMessage, reachedType))
            {
                var block = QuotaSignals.BlockFor(new QuotaAnswer
                {
                    Code = errorCode,
                    Message = errorMessage,
                    ReachedType = reachedType,
                    ResetsAt = attempt.ResetsAt?.ToDateTimeOffset(),
                    ResetsIn = attempt.ResetsIn?.ToTimeSpan(),
                    HeaderUsage = headerUsage,
                    PaidBy = NullIfEmpty(attempt.PaidBy),
                }, store.Find(attempt.AccountId)?.Usage, at, options.Value.FallbackCooldown);
                if (block.Until > now)
                {
                    change.Blocks = MeterBlocks.With(change.Blocks, block);
                }
                blocked = true;
            }
        }
        var email = account?.Email ?? "";
        // By id, as every account metric: an email is personal data, and a changed one would start a new series.
        HistoryMetrics.CountTokens(attempt.AccountId, attempt.ClientName, attempt.InputTokens, attempt.CachedInputTokens,
            attempt.OutputTokens, attempt.ReasoningTokens);
        return new AttemptEntry(requestId, Math.Max(1, attempt.Attempt), started, attempt.Endpoint, attempt.Transport, attempt.Model,
            attempt.ClientName, attempt.ClientKeyId, attempt.AccountId, email, attempt.StatusCode, attempt.ErrorCode, blocked, attempt.TimeToFirstByte?.ToTimeSpan(),
            duration, attempt.InputTokens, attempt.CachedInputTokens, attempt.OutputTokens, attempt.ReasoningTokens);
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
            next = next with { Usage = UsageMeters.Merge(account.Usage, usage) };
        }
        foreach (var block in change.Blocks)
        {
            var blocks = MeterBlocks.With(MeterBlocks.InForce(next.Blocks, now), block);
            if (!ReferenceEquals(blocks, next.Blocks) && blocks.Contains(block))
            {
                next = next with { Blocks = blocks, UpdatedAt = now };
                Log.Blocked(logger, account.Id, block.Meter, block.Reason, block.Until);
            }
        }
        return next;
    }

    private bool IsEligible(string accountId) =>
        store.Find(accountId) is { } account && AccountSelector.IsEligible(PoolMapper.ToRules(account), time.GetUtcNow(), new HashSet<string>());

    private static AnswerEntry AnswerRecord(V1.AnswerReport answer, string requestId, DateTimeOffset at)
    {
        var duration = answer.Duration?.ToTimeSpan() ?? TimeSpan.Zero;
        return new AnswerEntry(requestId, at - duration, answer.Endpoint, answer.Transport, answer.Model, answer.ClientName, answer.ClientKeyId,
            answer.StatusCode, answer.ErrorCode, duration);
    }

    private static bool CountsForBudgets(V1.AnswerReport answer) =>
        answer.ClientKeyId.Length > 0 && BudgetCounting.Counts(answer.Endpoint, answer.Attempts);

    // A report without a request id still gets a row of its own, the same one however often it is delivered.
    private static string RequestIdOf(string requestId, string edgeId, V1.PoolReport report) =>
        requestId.Length > 0 ? requestId : $"{edgeId}:{report.Sequence}";

    private void ForgetIdleEdges(DateTimeOffset now)
    {
        foreach (var (id, ledger) in _edges)
        {
            if (ledger.LastSeen + ForgetEdgeAfter < now)
            {
                _edges.TryRemove(id, out _);
                budgets.Forget(id);
            }
        }
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>What one batch changes on one account.</summary>
    private sealed class AccountChange
    {
        public DateTimeOffset? LastUsed { get; set; }
        public AccountUsageSnapshot? Usage { get; set; }
        public IReadOnlyList<MeterBlock> Blocks { get; set; } = [];
    }

    private sealed class EdgeLedger
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ulong AppliedThrough { get; set; }
        public DateTimeOffset LastSeen { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Warning, "Account {AccountId} blocked on {Meter} ({Reason}) until {Until:u}")]
        public static partial void Blocked(ILogger logger, string accountId, string meter, string reason, DateTimeOffset until);
    }
}
