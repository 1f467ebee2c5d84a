using System.Diagnostics;
using Grpc.Core;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Leasing;
using MultiCodex.Edge.OpenAi;
using MultiCodex.Edge.Upstream;
using Polly;
using Polly.Retry;

namespace MultiCodex.Edge.Proxying;

/// <summary>One client request to send upstream.</summary>
public sealed record UpstreamCall(string Model, string? SessionKey, string? ClientName, byte[] Body, IHeaderDictionary ClientHeaders);

/// <summary>The dispatch's result: a stream committed to the client, or an error to answer with.</summary>
public sealed record DispatchResult(UpstreamExchange? Exchange, UpstreamFailure? Failure);

/// <summary>An error for the client, in OpenAI's shape, with Retry-After when waiting helps.</summary>
public sealed record UpstreamFailure(int Status, string Message, string Type, string? Code, TimeSpan? RetryAfter = null,
    DateTimeOffset? ResetsAt = null);

/// <summary>
/// The heart of /v1: finds an account that serves the request before any byte reaches the client.
/// 1. Lease an account from Control (selection, stickiness, fresh token).
/// 2. Send the request; hold the first events until the stream proves healthy.
/// 3. On a quota error (429, 404, or a first <c>response.failed</c>) Control blocks the account: try the next one.
///    On a 401 Control refreshes the token: try the same account once more.
///    On 5xx, overload or a dropped connection: retry with backoff (Polly).
///    On a request error (400): answer the client with it.
/// 4. No account left: 429 with Retry-After (quota) or 503.
/// An upstream that sends its headers and then no event within FIRST_EVENT_TIMEOUT_SECONDS is given up on like a
/// 5xx (never a quota block): retried, at most <see cref="MaxFirstEventTimeouts"/> times per request, so a client hears
/// an answer or a 504 well inside the OpenAI SDKs' own timeouts. A client that goes away ends the dispatch as 499.
/// </summary>
public sealed partial class UpstreamDispatcher(
    ControlClient control, UpstreamClient upstream, OutcomeReporter reporter, EdgeOptions options, TimeProvider time, ILogger<UpstreamDispatcher> logger)
{
    /// <summary>How many first-event timeouts one client request may suffer before it is answered 504.</summary>
    public const int MaxFirstEventTimeouts = 2;

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
        var attempt = new AttemptState();
        try
        {
            return await _transientRetry.ExecuteAsync(async ct => await TryAccountsAsync(call, attempt, ct), cancellationToken);
        }
        catch (TransientUpstreamException e)
        {
            return new DispatchResult(null, e.Failure);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The client went away (while a lease was acquired, or the request was on its way): nothing to answer.
            return new DispatchResult(null, ClientClosed);
        }
        catch (RpcException e)
        {
            Log.ControlUnavailable(logger, e.StatusCode);
            return new DispatchResult(null, new UpstreamFailure(503, "The proxy's control service is unavailable; try again shortly.", "server_error", "control_unavailable"));
        }
    }

    /// <summary>The failure of a dispatch whose client went away (logged as 499, never written).</summary>
    public static readonly UpstreamFailure ClientClosed = new(499, "The client closed the request.", "client_closed", "client_closed");

    private async Task<DispatchResult> TryAccountsAsync(UpstreamCall call, AttemptState attempt, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (attempt.Accounts >= options.MaxAccountAttempts)
            {
                return new DispatchResult(null, attempt.LastFailure ?? NoAccountLeft(null));
            }
            var request = new AcquireLeaseRequest { Model = call.Model, SessionKey = call.SessionKey ?? "", ClientName = call.ClientName ?? "" };
            request.ExcludedAccountIds.AddRange(attempt.Excluded);
            var reply = await control.AcquireAsync(request, cancellationToken);
            if (reply.Lease is not { } lease)
            {
                return new DispatchResult(null, attempt.QuotaSeen || reply.RetryTime is not null ? AllBlocked(reply) : NoAccountLeft(reply));
            }
            attempt.Accounts++;

            var startedAt = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                headersTimeout.CancelAfter(options.UpstreamTimeout);
                response = await upstream.SendResponsesAsync(call.Body, call.ClientHeaders, lease.AccessToken, lease.ChatgptAccountId, headersTimeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                reporter.ReportInBackground(OutcomeReporter.Report(lease.LeaseId, 499, null, null, null, Stopwatch.GetElapsedTime(startedAt)));
                throw;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                var timedOut = e is OperationCanceledException;
                await reporter.ReportAsync(OutcomeReporter.Report(lease.LeaseId, timedOut ? 504 : 0,
                    new EventFacts(timedOut ? "upstream_timeout" : "upstream_unreachable", null, null, null, 0, 0, 0, 0), null, null,
                    Stopwatch.GetElapsedTime(startedAt)), cancellationToken);
                throw new TransientUpstreamException(new UpstreamFailure(timedOut ? 504 : 502,
                    timedOut ? "The upstream did not answer in time." : "The upstream could not be reached.", "server_error", timedOut ? "upstream_timeout" : "upstream_unreachable"));
            }
            var timeToFirstByte = Stopwatch.GetElapsedTime(startedAt);

            if (response.IsSuccessStatusCode)
            {
                var exchange = new UpstreamExchange(lease, response, await response.Content.ReadAsStreamAsync(cancellationToken), reporter, startedAt,
                    timeToFirstByte, options.StreamIdleTimeout);
                ProbeResult probe;
                try
                {
                    probe = await ProbeAsync(exchange, cancellationToken);
                }
                catch
                {
                    exchange.ClientAborted = cancellationToken.IsCancellationRequested;
                    await exchange.DisposeAsync();
                    throw;
                }
                if (probe == ProbeResult.Healthy)
                {
                    return new DispatchResult(exchange, null);
                }
                if (probe == ProbeResult.NoFirstEvent)
                {
                    var silent = new UpstreamFailure(504, $"The upstream sent no event within {options.FirstEventTimeout.TotalSeconds:F0} s of its response headers.",
                        "server_error", "upstream_first_event_timeout");
                    await exchange.ReportAsync(504, silent.Code!, silent.Message, cancellationToken);
                    await exchange.DisposeAsync();
                    if (++attempt.FirstEventTimeouts >= MaxFirstEventTimeouts)
                    {
                        return new DispatchResult(null, silent);
                    }
                    throw new TransientUpstreamException(silent);
                }
                var verdict = await exchange.ReportNowAsync(cancellationToken);
                var failure = exchange.Failure;
                await exchange.DisposeAsync();
                if (verdict?.AccountBlocked == true)
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
                var verdict = await reporter.ReportAsync(
                    OutcomeReporter.Report(lease.LeaseId, status, facts, response, timeToFirstByte, Stopwatch.GetElapsedTime(startedAt)), cancellationToken);
                if (verdict?.AccountBlocked == true)
                {
                    RotateAfterQuota(attempt, lease, facts);
                    continue;
                }
                if (status == 401)
                {
                    // Control refreshed the token: the same account gets one more try, then it is passed over.
                    if (!(verdict?.TokenRefreshed == true && attempt.RetriedAfterRefresh.Add(lease.AccountId)))
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

    // The first event must come within the first-event timeout of the headers; after it, each within the idle timeout.
    private async Task<ProbeResult> ProbeAsync(UpstreamExchange exchange, CancellationToken cancellationToken)
    {
        using var silence = new CancellationTokenSource(options.FirstEventTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(silence.Token, cancellationToken);
        var sawEvent = false;
        try
        {
            return await exchange.ProbeAsync(linked.Token, () =>
            {
                sawEvent = true;
                silence.CancelAfter(options.StreamIdleTimeout);
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !sawEvent)
        {
            return ProbeResult.NoFirstEvent;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.EndedEarly;
        }
    }

    private static void RotateAfterQuota(AttemptState attempt, Lease lease, EventFacts? facts)
    {
        attempt.Excluded.Add(lease.AccountId);
        attempt.QuotaSeen = true;
        attempt.LastFailure = new UpstreamFailure(429, facts?.ErrorMessage ?? "The usage limit has been reached.", "usage_limit_reached", facts?.ErrorCode ?? "usage_limit_reached");
    }

    private UpstreamFailure AllBlocked(AcquireLeaseResponse reply)
    {
        var retryAt = reply.RetryTime?.ToDateTimeOffset();
        var wait = retryAt is { } at ? at - time.GetUtcNow() : (TimeSpan?)null;
        return new UpstreamFailure(429,
            $"Every account in this MultiCodex pool has reached its usage limit. {reply.UnavailableReason}".Trim(),
            "usage_limit_reached", "usage_limit_reached", wait is { } w && w > TimeSpan.Zero ? w : TimeSpan.FromSeconds(60), retryAt);
    }

    private static UpstreamFailure NoAccountLeft(AcquireLeaseResponse? reply) =>
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

    private sealed class AttemptState
    {
        public List<string> Excluded { get; } = [];
        public HashSet<string> RetriedAfterRefresh { get; } = [];
        public int Accounts { get; set; }
        public int FirstEventTimeouts { get; set; }
        public bool QuotaSeen { get; set; }
        public UpstreamFailure? LastFailure { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Error, "Control is unavailable ({Status}); /v1 requests fail until it is back")]
        public static partial void ControlUnavailable(ILogger logger, StatusCode status);
    }
}

/// <summary>A failure worth retrying after a pause (5xx, overload, a dropped stream); carries what to answer if retries run out.</summary>
public sealed class TransientUpstreamException(UpstreamFailure failure) : Exception(failure.Message)
{
    public UpstreamFailure Failure { get; } = failure;
}
