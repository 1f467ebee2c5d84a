using System.Diagnostics;
using System.Security.Cryptography;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.Upstream;
using Polly;
using Polly.Retry;

namespace MultiCodex.Edge.Proxying;

/// <summary>One client request to send upstream.</summary>
public sealed record UpstreamCall(string Endpoint, string Model, string? SessionKey, string? ClientName, byte[] Body, IHeaderDictionary ClientHeaders);

/// <summary>The dispatch's result: a stream committed to the client, or an error to answer with (after <paramref name="Attempts"/> attempts).</summary>
public sealed record DispatchResult(UpstreamExchange? Exchange, UpstreamFailure? Failure, string RequestId = "", int Attempts = 0);

/// <summary>An error for the client, in OpenAI's shape, with Retry-After when waiting helps.</summary>
public sealed record UpstreamFailure(int Status, string Message, string Type, string? Code, TimeSpan? RetryAfter = null,
    DateTimeOffset? ResetsAt = null);

/// <summary>
/// The heart of /v1: finds an account that serves the request before any byte reaches the client.
/// 1. Lease an account from the pool (selection, stickiness, fresh token).
/// 2. Send the request; hold the first events until the stream proves healthy.
/// 3. On a quota error (429, 404, or a first <c>response.failed</c>) the pool blocks the account: try the next one.
///    On a 401 Control refreshes the token: try the same account once more.
///    On 5xx, overload or a dropped connection: retry with backoff (Polly).
///    On a request error (400): answer the client with it.
/// 4. No account left: 429 with Retry-After (quota) or 503.
/// </summary>
public sealed class UpstreamDispatcher(IAccountPool pool, UpstreamClient upstream, EdgeOptions options, TimeProvider time)
{
    private const int MaxErrorBodyBytes = 64 * 1024;
    private static readonly HashSet<string> RetryableStreamCodes = ["server_is_overloaded", "slow_down", "server_error", "internal_error", "stream_incomplete"];

    private readonly ResiliencePipeline _transientRetry = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<TransientUpstreamException>(),
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(300),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public async Task<DispatchResult> DispatchAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        var attempt = new AttemptState("req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        try
        {
            var result = await _transientRetry.ExecuteAsync(async ct => await TryAccountsAsync(call, attempt, ct), cancellationToken);
            return result with { RequestId = attempt.RequestId, Attempts = attempt.Attempts };
        }
        catch (TransientUpstreamException e)
        {
            return new DispatchResult(null, e.Failure, attempt.RequestId, attempt.Attempts);
        }
    }

    private async Task<DispatchResult> TryAccountsAsync(UpstreamCall call, AttemptState attempt, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (attempt.Accounts >= options.MaxAccountAttempts)
            {
                return new DispatchResult(null, attempt.LastFailure ?? NoAccountLeft(null));
            }
            var reply = await pool.AcquireAsync(new LeaseRequest(call.Model, call.SessionKey, attempt.Excluded, call.ClientName), cancellationToken);
            if (reply.Lease is not { } lease)
            {
                return new DispatchResult(null, attempt.QuotaSeen || reply.RetryAt is not null ? AllBlocked(reply) : NoAccountLeft(reply));
            }
            attempt.Accounts++;
            var context = new AttemptContext(attempt.RequestId, ++attempt.Attempts, call.Endpoint, call.Model, call.ClientName);

            var startedAt = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                headersTimeout.CancelAfter(options.UpstreamTimeout);
                response = await upstream.SendResponsesAsync(call.Body, call.ClientHeaders, lease.AccessToken, lease.ChatGptAccountId, headersTimeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var timedOut = e is OperationCanceledException;
                await pool.CompleteAsync(lease, AttemptOutcomes.Of(context, timedOut ? 504 : 0,
                    new EventFacts(timedOut ? "upstream_timeout" : "upstream_unreachable", null, null, null, 0, 0, 0, 0), null, null,
                    Stopwatch.GetElapsedTime(startedAt)), cancellationToken);
                throw new TransientUpstreamException(new UpstreamFailure(timedOut ? 504 : 502,
                    timedOut ? "The upstream did not answer in time." : "The upstream could not be reached.", "server_error", timedOut ? "upstream_timeout" : "upstream_unreachable"));
            }
            var timeToFirstByte = Stopwatch.GetElapsedTime(startedAt);

            if (response.IsSuccessStatusCode)
            {
                var exchange = new UpstreamExchange(lease, response, await response.Content.ReadAsStreamAsync(cancellationToken), pool, context, startedAt,
                    timeToFirstByte, options.StreamIdleTimeout);
                ProbeResult probe;
                try
                {
                    probe = await ProbeAsync(exchange, cancellationToken);
                }
                catch
                {
                    await exchange.DisposeAsync();
                    throw;
                }
                if (probe == ProbeResult.Healthy)
                {
                    return new DispatchResult(exchange, null);
                }
                var verdict = await exchange.CompleteNowAsync(cancellationToken);
                var failure = exchange.Failure;
                await exchange.DisposeAsync();
                if (verdict.AccountBlocked)
                {
                    RotateAfterQuota(attempt, lease, failure);
                    continue;
                }
                if (probe == ProbeResult.EndedEarly || RetryableStreamCodes.Contains(failure?.ErrorCode ?? ""))
                {
                    throw new TransientUpstreamException(new UpstreamFailure(502, failure?.ErrorMessage ?? "The upstream stream ended before any output.",
                        "server_error", failure?.ErrorCode ?? "stream_incomplete"));
                }
                return new DispatchResult(null, new UpstreamFailure(502, failure?.ErrorMessage ?? "The upstream failed the response.", "server_error", failure?.ErrorCode));
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var facts = UpstreamEvents.ErrorBody(await ReadLimitedAsync(response, cancellationToken));
                var verdict = await pool.CompleteAsync(lease,
                    AttemptOutcomes.Of(context, status, facts, response, timeToFirstByte, Stopwatch.GetElapsedTime(startedAt)), cancellationToken);
                if (verdict.AccountBlocked)
                {
                    RotateAfterQuota(attempt, lease, facts);
                    continue;
                }
                if (status == 401)
                {
                    // Control refreshed the token: the same account gets one more try, then it is passed over.
                    if (!(verdict.TokenRefreshed && attempt.RetriedAfterRefresh.Add(lease.AccountId)))
                    {
                        attempt.Excluded.Add(lease.AccountId);
                    }
                    attempt.LastFailure = new UpstreamFailure(502, "The upstream refused the account's credentials.", "server_error", facts.ErrorCode ?? "upstream_unauthorized");
                    continue;
                }
                var failure = ClientFailure(status, facts);
                if (status >= 500)
                {
                    throw new TransientUpstreamException(failure);
                }
                return new DispatchResult(null, failure);
            }
        }
    }

    private async Task<ProbeResult> ProbeAsync(UpstreamExchange exchange, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(options.StreamIdleTimeout);
        try
        {
            return await exchange.ProbeAsync(idle.Token);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.EndedEarly;
        }
    }

    private static void RotateAfterQuota(AttemptState attempt, AccountLease lease, EventFacts? facts)
    {
        attempt.Excluded.Add(lease.AccountId);
        attempt.QuotaSeen = true;
        attempt.LastFailure = new UpstreamFailure(429, facts?.ErrorMessage ?? "The usage limit has been reached.", "usage_limit_reached", facts?.ErrorCode ?? "usage_limit_reached");
    }

    private UpstreamFailure AllBlocked(LeaseResult reply)
    {
        var retryAt = reply.RetryAt;
        var wait = retryAt is { } at ? at - time.GetUtcNow() : (TimeSpan?)null;
        return new UpstreamFailure(429,
            $"Every account in this MultiCodex pool has reached its usage limit. {reply.UnavailableReason}".Trim(),
            "usage_limit_reached", "usage_limit_reached", wait is { } w && w > TimeSpan.Zero ? w : TimeSpan.FromSeconds(60), retryAt);
    }

    private static UpstreamFailure NoAccountLeft(LeaseResult? reply) =>
        new(503, $"No upstream account can serve this request. {reply?.UnavailableReason}".Trim(), "server_error", "no_account_available");

    private static UpstreamFailure ClientFailure(int status, EventFacts facts) => new(
        status,
        facts.ErrorMessage ?? $"The upstream answered HTTP {status}.",
        status is >= 400 and < 500 ? "invalid_request_error" : "server_error",
        facts.ErrorCode);

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length < MaxErrorBodyBytes && (read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private sealed class AttemptState(string requestId)
    {
        public string RequestId { get; } = requestId;
        public int Attempts { get; set; }
        public HashSet<string> Excluded { get; } = new(StringComparer.Ordinal);
        public HashSet<string> RetriedAfterRefresh { get; } = [];
        public int Accounts { get; set; }
        public bool QuotaSeen { get; set; }
        public UpstreamFailure? LastFailure { get; set; }
    }
}

/// <summary>A failure worth retrying after a pause (5xx, overload, a dropped stream); carries what to answer if retries run out.</summary>
public sealed class TransientUpstreamException(UpstreamFailure failure) : Exception(failure.Message)
{
    public UpstreamFailure Failure { get; } = failure;
}
