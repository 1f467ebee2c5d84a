using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>Step 3's result: a stream committed to the client on the attempt that serves it, or the error to answer with.</summary>
public sealed record Dispatch(AttemptScope? Attempt, UpstreamStream? Stream, ClientError? Error);

/// <summary>
/// Step 3 (dispatch): finds an account that serves the request before any byte reaches the client.
/// <list type="number">
/// <item>Lease an account from the pool (selection, stickiness, a fresh token).</item>
/// <item>Send the request; hold the first events until the stream proves healthy (<see cref="UpstreamStream.HoldAsync"/>).</item>
/// <item>A quota answer (429, 404, or a first <c>response.failed</c>) blocks the account: try the next one. A 401 makes
/// the pool refresh the token: the same account gets one more try. A 5xx, an overload, a dropped connection or no
/// event within <c>FIRST_EVENT_TIMEOUT_SECONDS</c> is transient: retried (a silent account is passed over for this
/// request while another one can serve it, and tried again when none can). A request error (400) goes to the client;
/// so does any other failure event, as the upstream sent it.</item>
/// <item>No account left: 429 with <c>Retry-After</c> when quotas are the reason, else 503.</item>
/// </list>
/// The time before the client hears anything is bounded: at most <c>MAX_ACCOUNT_ATTEMPTS</c> attempts and
/// <see cref="MaxTransientFailures"/> transient failures per request, of which at most
/// <see cref="MaxFirstEventTimeouts"/> first-event timeouts — the second one is answered 504
/// <c>upstream_first_event_timeout</c>. An upstream that answers its headers and then stays silent therefore costs a
/// client 2 × <c>FIRST_EVENT_TIMEOUT_SECONDS</c> (40 s by default), well inside the OpenAI SDKs' own timeouts.
/// </summary>
public sealed class Dispatcher(IAccountPool pool, UpstreamClient upstream, EdgeOptions options, TimeProvider time)
{
    /// <summary>The error code of an upstream that sent headers and then nothing.</summary>
    public const string FirstEventTimeoutCode = "upstream_first_event_timeout";

    /// <summary>How many transient failures (5xx, overload, a dropped or silent stream) one client request may meet.</summary>
    public const int MaxTransientFailures = 3;

    /// <summary>How many of them may be first-event timeouts: the second one ends the request with a 504.</summary>
    public const int MaxFirstEventTimeouts = 2;

    private const int MaxErrorBodyBytes = 64 * 1024;
    private static readonly HashSet<string> RetryableStreamCodes = ["server_is_overloaded", "slow_down", "server_error", "internal_error", "stream_incomplete"];

    public async Task<Dispatch> DispatchAsync(UpstreamRequest request, IClientTransport client, RequestTrace trace)
    {
        using var hold = client.HoldFirstEvent();
        var cancellationToken = client.Aborted;
        var excluded = new List<string>();
        List<string>? silent = null; // accounts whose stream stayed silent: passed over while another one can serve
        HashSet<string>? refreshed = null;
        var transientFailures = 0;
        var firstEventTimeouts = 0;
        var quotaSeen = false;
        ClientError? last = null;
        for (var number = 1; number <= options.MaxAccountAttempts; number++)
        {
            // May switch to a reserve: the upstream request then carries the reserve's model id (UpstreamRequest.For).
            var leased = await pool.AcquireAsync(new LeaseRequest(request.Model, request.SessionKey, silent is null ? excluded : [.. excluded, .. silent],
                client.ClientName, MaySwitchToReserve: true) { AllowedAccountIds = trace.AllowedAccountIds }, cancellationToken);
            if (leased.Lease is null && silent is not null)
            {
                silent = null; // no other account: the silent one again, as one more transient retry
                leased = await pool.AcquireAsync(new LeaseRequest(request.Model, request.SessionKey, excluded, client.ClientName, MaySwitchToReserve: true)
                    { AllowedAccountIds = trace.AllowedAccountIds }, cancellationToken);
            }
            if (leased.Lease is not { } lease)
            {
                return Failed(quotaSeen || leased.RetryAt is not null ? AllBlocked(leased) : last ?? NoAccount(leased.UnavailableReason));
            }
            var attempt = new AttemptScope(pool, lease, trace, number, time);
            var step = await TryAsync(attempt, request, client, cancellationToken);
            switch (step.Kind)
            {
                case StepKind.Committed:
                    return new Dispatch(attempt, step.Stream, null);
                case StepKind.Quota:
                    excluded.Add(lease.AccountId);
                    quotaSeen = true;
                    break;
                case StepKind.Unauthorized when step.TokenRefreshed && (refreshed ??= []).Add(lease.AccountId):
                    break; // the same account once more, with its fresh token
                case StepKind.Unauthorized:
                    excluded.Add(lease.AccountId);
                    break;
                case StepKind.Transient when step.Error!.Code == FirstEventTimeoutCode:
                    transientFailures++;
                    if (++firstEventTimeouts >= MaxFirstEventTimeouts || transientFailures >= MaxTransientFailures)
                    {
                        return Failed(step.Error);
                    }
                    (silent ??= []).Add(lease.AccountId); // it waited long enough already: no backoff, another account
                    break;
                case StepKind.Transient when ++transientFailures >= MaxTransientFailures:
                    return Failed(step.Error!);
                case StepKind.Transient:
                    await Task.Delay(Backoff(transientFailures), time, cancellationToken);
                    break;
                default:
                    return Failed(step.Error!);
            }
            last = step.Error;
        }
        return Failed(last ?? NoAccount(null));
    }

    private static Dispatch Failed(ClientError error) => new(null, null, error);

    private async Task<Step> TryAsync(AttemptScope attempt, UpstreamRequest request, IClientTransport client, CancellationToken cancellationToken)
    {
        try
        {
            HttpResponseMessage response;
            using (var headersTimeout = new CancellationTokenSource(options.UpstreamTimeout, time))
            using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), headersTimeout))
            {
                try
                {
                    response = await (request.Route ?? upstream).SendAsync(request, client.Headers, attempt.Lease, headersTimeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return await TransientAsync(attempt, 504, ClientError.Server(504, "The upstream did not answer in time.", "upstream_timeout"));
                }
            }
            attempt.HeadersArrived((int)response.StatusCode);
            return response.IsSuccessStatusCode
                ? await HoldAsync(attempt, await UpstreamStream.OpenAsync(response, time, options.StreamIdleTimeout, cancellationToken))
                : await RefusedAsync(attempt, response, cancellationToken);
        }
        catch (Exception e) when (V1Pipeline.ClientWentAway(e, client))
        {
            await attempt.CompleteAsync(new AttemptEnd(499, null));
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return await TransientAsync(attempt, 0, ClientError.Server(502, "The upstream could not be reached.", "upstream_unreachable"));
        }
    }

    // A 2xx: the stream's first events decide whether it is committed to the client.
    private async Task<Step> HoldAsync(AttemptScope attempt, UpstreamStream stream)
    {
        HoldResult held;
        try
        {
            held = await stream.HoldAsync(options.FirstEventTimeout);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        if (held == HoldResult.Committed)
        {
            return new Step(StepKind.Committed, null, stream);
        }
        if (held == HoldResult.TimedOut)
        {
            await stream.DisposeAsync();
            return await TransientAsync(attempt, 504, ClientError.Server(504,
                $"The upstream sent no event within {options.FirstEventTimeout.TotalSeconds:F0} s of its headers.", FirstEventTimeoutCode));
        }
        var verdict = await attempt.CompleteAsync(AttemptEnd.Of(stream, clientGone: false));
        var failure = stream.Terminal?.Error;
        var code = failure?.CodeOrType ?? "stream_incomplete";
        if (held == HoldResult.Failed && !verdict.AccountBlocked && !RetryableStreamCodes.Contains(code))
        {
            // Not the account's fault and not worth a retry (a context overflow, a refused prompt): the client gets
            // the upstream's own failure event, which its SDK understands better than any re-shaped error.
            return new Step(StepKind.Committed, null, stream);
        }
        await stream.DisposeAsync();
        return verdict.AccountBlocked
            ? Quota(failure)
            : new Step(StepKind.Transient, ClientError.Server(502, failure?.Message ?? "The upstream stream ended before any output.", code));
    }

    // Not a 2xx: the error body says what went wrong.
    private async Task<Step> RefusedAsync(AttemptScope attempt, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var status = (int)response.StatusCode;
            var error = UpstreamError.FromHttpBody(await ReadLimitedAsync(response, cancellationToken));
            var verdict = await attempt.CompleteAsync(new AttemptEnd(status, error, default, response.Headers));
            if (verdict.AccountBlocked)
            {
                return Quota(error);
            }
            if (status == 401)
            {
                return new Step(StepKind.Unauthorized, ClientError.Server(502, "The upstream refused the account's credentials.",
                    error.CodeOrType ?? "upstream_unauthorized"), TokenRefreshed: verdict.TokenRefreshed);
            }
            var answer = status < 500
                ? new ClientError(status, error.Message ?? $"The upstream answered HTTP {status}.", "invalid_request_error", error.CodeOrType, error.Param)
                // An upstream fault is the gateway's answer, never a 500 of the Edge's own: 503 and 504 keep their meaning.
                : ClientError.Server(status is 503 or 504 ? status : 502, error.Message ?? $"The upstream answered HTTP {status}.", error.CodeOrType);
            return new Step(status >= 500 ? StepKind.Transient : StepKind.Refused, answer);
        }
    }

    private static async Task<Step> TransientAsync(AttemptScope attempt, int status, ClientError error)
    {
        await attempt.CompleteAsync(AttemptEnd.Failed(status, error.Code!, error.Message));
        return new Step(StepKind.Transient, error);
    }

    private static Step Quota(UpstreamError? error) => new(StepKind.Quota, new ClientError(429,
        error?.Message ?? "The usage limit has been reached.", "usage_limit_reached", error?.CodeOrType ?? "usage_limit_reached"));

    private ClientError AllBlocked(LeaseResult leased)
    {
        var wait = leased.RetryAt is { } at ? at - time.GetUtcNow() : TimeSpan.Zero;
        return new ClientError(429, $"Every account in this MultiCodex pool has reached its usage limit. {leased.UnavailableReason}".Trim(),
            "usage_limit_reached", "usage_limit_reached")
        {
            RetryAfter = wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(60),
            ResetsAt = leased.RetryAt,
            // What the upstream itself would send with its quota answer: the Codex CLI refreshes its limit display from it.
            UsageHeaders = MultiCodex.Pool.QuotaHeaders.Of(leased.FirstFree, time.GetUtcNow()),
        };
    }

    private static ClientError NoAccount(string? reason) =>
        ClientError.Server(503, $"No upstream account can serve this request. {reason}".Trim(), "no_account_available");

    // 300 ms, 600 ms, … with ±20 % jitter, so clients retrying together do not hit the upstream in step.
    private static TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(300 * Math.Pow(2, failures - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxErrorBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        return buffer[..length];
    }

    private enum StepKind
    {
        Committed,
        Quota,
        Unauthorized,
        Transient,
        Refused,
    }

    private readonly record struct Step(StepKind Kind, ClientError? Error, UpstreamStream? Stream = null, bool TokenRefreshed = false);
}
