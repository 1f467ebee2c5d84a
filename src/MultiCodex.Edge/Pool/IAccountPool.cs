namespace MultiCodex.Edge.Pool;

/// <summary>
/// What the /v1 pipeline needs from the pool of upstream accounts: a lease for one upstream attempt, and the end of
/// that lease with its outcome. The one place a lease ends is <see cref="CompleteAsync"/>.
/// </summary>
/// <remarks>
/// Control owns accounts, tokens, selection rules, blocks and stickiness. The pool on the Edge holds Control's
/// pushed view of them, so that neither call waits for Control in the steady state: the only synchronous call to
/// Control left is a token refresh after a 401 (single-flight stays in Control; refresh tokens never leave it).
/// </remarks>
public interface IAccountPool
{
    /// <summary>Chooses an account for one upstream attempt by the selection rules, or says why none is eligible.</summary>
    ValueTask<LeaseResult> AcquireAsync(LeaseRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the lease. Local effects (a quota block, the session binding, the in-flight count) apply before this
    /// returns; the outcome reaches Control in the background. On a 401 it asks Control for a fresh token first, and
    /// the next lease of that account carries it.
    /// </summary>
    ValueTask<OutcomeVerdict> CompleteAsync(AccountLease lease, AttemptOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Records how a client request ended, once, after its attempts were completed (also when no attempt was made,
    /// for example every account blocked). Never waits: it reaches Control's request log (and the key's budget
    /// counts) in the background; until Control counted it, the Edge counts it for the key itself.
    /// </summary>
    void RecordAnswer(ClientAnswer answer);
}

/// <summary>What one upstream attempt needs an account for.</summary>
/// <param name="Model">The model the client asked for (<c>(models)</c> for the catalog).</param>
/// <param name="SessionKey">The conversation's key (prompt_cache_key or session header) that keeps it on one account; null when none.</param>
/// <param name="ExcludedAccountIds">Accounts already tried for this client request.</param>
/// <param name="ClientName">The client key's name, for the record; null while /v1 is open.</param>
/// <param name="MaySwitchToReserve">
/// The caller sends <see cref="AccountLease.UpstreamModel"/> in place of <paramref name="Model"/> when the lease names
/// one: then an account whose ordinary quota is spent may still serve a model its reserve serves (under the reserve's
/// own model id; docs/account-pool.md, "Meters and models"). False: only accounts that serve the model as asked.
/// </param>
public sealed record LeaseRequest(
    string Model, string? SessionKey, IReadOnlyCollection<string> ExcludedAccountIds, string? ClientName, bool MaySwitchToReserve = false)
{
    /// <summary>
    /// Only these accounts may serve the request (the client key's allowed accounts); null: any. The shared rules
    /// then choose among them alone and tell when one of them is free again (docs/account-pool.md).
    /// </summary>
    public IReadOnlySet<string>? AllowedAccountIds { get; init; }
}

/// <summary>An account leased for one upstream attempt.</summary>
/// <param name="LeaseId">Identifies the lease in outcome reports.</param>
/// <param name="AccountId">The account's id.</param>
/// <param name="AccountEmail">The account's email, for the explain header and the log.</param>
/// <param name="AccessToken">Sent upstream as <c>Authorization: Bearer</c>; never logged.</param>
/// <param name="ChatGptAccountId">Sent upstream as <c>ChatGPT-Account-ID</c>.</param>
/// <param name="Choice">The selection that granted it: its rule and, when asked for, why (the explain header).</param>
/// <param name="PaidBy">The model-scoped meter that pays for the attempt (e.g. <c>reserve:gpt-reserve</c>); null when the ordinary meters do.</param>
/// <param name="UpstreamModel">The model id to send upstream instead of the one asked for (a reserve's own id); null to send it as asked.</param>
public sealed record AccountLease(
    string LeaseId, string AccountId, string AccountEmail, string AccessToken, string ChatGptAccountId, MultiCodex.Pool.Selection Choice,
    string? PaidBy = null, string? UpstreamModel = null)
{
    /// <summary>The rule that decided: <c>sticky</c>, <c>untouched</c>, <c>weekly_reset_soonest</c> or <c>priority</c>.</summary>
    public string Rule => Choice.RuleName;

    /// <summary>Why this account, in a sentence; written on first use.</summary>
    public string Explanation => Choice.Explanation;

    // The token must not reach a log line through the record's generated ToString.
    public override string ToString() => $"{LeaseId} ({AccountId})";
}

/// <summary>A lease, or why none could be granted and when one will be.</summary>
/// <param name="RetryAt">When no account is eligible because of quota blocks: the earliest time one is free again.</param>
/// <param name="FirstFree">The account that is free again at <paramref name="RetryAt"/>: its meters are what a quota answer shows.</param>
public sealed record LeaseResult(AccountLease? Lease, DateTimeOffset? RetryAt = null, string? UnavailableReason = null, MultiCodex.Pool.PoolAccount? FirstFree = null);

/// <summary>What the pool concluded from an outcome.</summary>
/// <param name="AccountBlocked">A quota answer: the account is blocked, try another one.</param>
/// <param name="TokenRefreshed">After a 401: the account has a fresh token, and one more attempt on it may succeed.</param>
public sealed record OutcomeVerdict(bool AccountBlocked, bool TokenRefreshed);

/// <summary>Token counts of one response, from its terminal event.</summary>
public readonly record struct TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens);

/// <summary>How one upstream attempt went, as recorded once (never a token or a prompt).</summary>
public sealed record AttemptOutcome
{
    /// <summary>The Edge's id of the client request; the attempts of one request share it.</summary>
    public required string RequestId { get; init; }

    /// <summary>1 for the first attempt of a client request, 2 for the next, …</summary>
    public required int Attempt { get; init; }

    /// <summary>The /v1 route: <c>responses</c>, <c>chat</c> or <c>models</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>How the client is connected: <c>http</c> or <c>websocket</c>.</summary>
    public string Transport { get; init; } = "http";

    public required string Model { get; init; }

    /// <summary>The client key's name; null while /v1 is open.</summary>
    public string? ClientName { get; init; }

    /// <summary>The client key's id; null while /v1 is open.</summary>
    public string? ClientKeyId { get; init; }

    /// <summary>The upstream's HTTP status; 0 when it never answered, 499 when the client went away.</summary>
    public required int Status { get; init; }

    /// <summary>The upstream error's code or type (for example <c>usage_limit_reached</c>); null on success.</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>The reset the upstream named (<c>resets_at</c>).</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>The reset delay the upstream named (<c>resets_in_seconds</c>).</summary>
    public TimeSpan? ResetsIn { get; init; }

    /// <summary>The upstream's <c>x-codex-*</c> rate-limit headers, lower-cased.</summary>
    public IReadOnlyDictionary<string, string> RateLimitHeaders { get; init; } = EmptyHeaders;

    public TokenUsage Usage { get; init; }

    /// <summary>From sending the request upstream to its response headers.</summary>
    public TimeSpan? TimeToFirstByte { get; init; }

    /// <summary>From sending the request upstream to the end of the attempt.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The attempt's span as a W3C <c>traceparent</c>, so that Control's work on this outcome joins the request's trace;
    /// null while OpenTelemetry is off.
    /// </summary>
    public string? TraceParent { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();
}

/// <summary>What the client finally got for one request, after all its attempts.</summary>
public sealed record ClientAnswer
{
    /// <summary>The Edge's id of the client request, shared with its attempts.</summary>
    public required string RequestId { get; init; }

    public required string Endpoint { get; init; }

    public string Transport { get; init; } = "http";

    public required string Model { get; init; }

    public string? ClientName { get; init; }

    /// <summary>The client key's id; null while /v1 is open.</summary>
    public string? ClientKeyId { get; init; }

    /// <summary>The HTTP status the client got (200 for a stream that began, 499 when the client went away).</summary>
    public required int Status { get; init; }

    /// <summary>The error code the client got, if any (for example <c>usage_limit_reached</c>).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>How many upstream attempts the request made (0 when no account could be leased).</summary>
    public required int Attempts { get; init; }

    /// <summary>From receiving the request to the end of the answer.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The token usage of the answer the client got (what the key's token budgets count).</summary>
    public TokenUsage Usage { get; init; }
}
