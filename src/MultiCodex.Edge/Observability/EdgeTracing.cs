using System.Diagnostics;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// The Edge's spans (activity source <c>MultiCodex.Edge</c>), one trace per /v1 request:
/// <code>
/// POST /v1/responses            server span (ASP.NET Core)
/// └ v1 responses                the pipeline: request id, model, status, attempts, the Server-Timing figures
///   ├ lease                     choosing an account (account id and rule, or why none)
///   ├ upstream attempt          one per attempt: account id, upstream status and error code, tokens
///   │                           (└ Control: RefreshAccessToken after a 401, pool.apply_attempt for its report)
///   └ upstream attempt
///     └ stream                  the served attempt's answer, from the commit to its end
/// </code>
/// Attributes name accounts by id and keys by name: never a prompt, a token, a key or an email. While nobody listens
/// (OpenTelemetry off) every method returns or takes null and costs a check.
/// </summary>
public static class EdgeTracing
{
    public const string Name = "MultiCodex.Edge";

    private static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Begins a request's span and makes it the current activity, so that leases and attempts nest in it. Over HTTP it
    /// nests in the server span; the responses of one WebSocket share a connection (one server span), so each starts a
    /// trace of its own, linked to the connection's.
    /// </summary>
    public static Activity? StartRequest(string endpoint, string transport)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        if (transport == "http" || Activity.Current is not { } connection)
        {
            return Source.StartActivity("v1 " + endpoint, ActivityKind.Internal);
        }
        Activity.Current = null;
        return Source.StartActivity("v1 " + endpoint, ActivityKind.Server, default(ActivityContext), links: [new ActivityLink(connection.Context)]);
    }

    /// <summary>Ends a request's span with what the client got.</summary>
    public static void EndRequest(RequestTrace trace, in RequestTiming timing)
    {
        if (trace.Span is not { } span)
        {
            return;
        }
        span.SetTag("multicodex.request_id", trace.RequestId);
        span.SetTag("multicodex.endpoint", trace.Endpoint);
        span.SetTag("multicodex.transport", trace.Transport);
        span.SetTag("multicodex.key_name", trace.ClientName);
        span.SetTag("gen_ai.request.model", trace.Model);
        span.SetTag("http.response.status_code", trace.Status);
        span.SetTag("error.type", trace.ErrorCode);
        SetTiming(span, timing);
        SetUsage(span, trace.Usage);
        if (trace.Status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error, trace.ErrorCode);
        }
        span.Stop();
    }

    /// <summary>Begins a lease's span (current while the pool chooses).</summary>
    public static Activity? StartLease(LeaseRequest request)
    {
        var span = Source.StartActivity("lease", ActivityKind.Internal);
        span?.SetTag("gen_ai.request.model", request.Model);
        span?.SetTag("multicodex.lease.excluded_accounts", request.ExcludedAccountIds.Count);
        return span;
    }

    /// <summary>Notes which account was leased, or why none.</summary>
    public static void Leased(Activity? span, LeaseResult result)
    {
        if (span is null)
        {
            return;
        }
        if (result.Lease is { } lease)
        {
            span.SetTag("multicodex.account.id", lease.AccountId);
            span.SetTag("multicodex.lease.rule", lease.Rule);
            span.SetTag("multicodex.lease.paid_by", lease.PaidBy);
            return;
        }
        span.SetTag("multicodex.lease.retry_at", result.RetryAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        span.SetStatus(ActivityStatusCode.Error, result.UnavailableReason);
    }

    /// <summary>Begins an attempt's span in the current request's; it does not become current (the next attempt is its sibling).</summary>
    public static Activity? StartAttempt(AccountLease lease, int number)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var request = Activity.Current;
        var span = Source.StartActivity("upstream attempt", ActivityKind.Client);
        Activity.Current = request;
        span?.SetTag("multicodex.attempt", number);
        span?.SetTag("multicodex.account.id", lease.AccountId);
        span?.SetTag("multicodex.lease.rule", lease.Rule);
        span?.SetTag("gen_ai.request.model", lease.UpstreamModel);
        return span;
    }

    /// <summary>The upstream's response headers came.</summary>
    public static void HeadersArrived(Activity? attempt, int status) =>
        attempt?.AddEvent(new ActivityEvent("upstream.headers", tags: new ActivityTagsCollection { ["http.response.status_code"] = status }));

    /// <summary>The attempt's stream is committed to the client: its span begins, a child of the attempt's, not current.</summary>
    public static Activity? StartStream(Activity? attempt)
    {
        if (attempt is null)
        {
            return null;
        }
        var current = Activity.Current;
        var span = Source.StartActivity("stream", ActivityKind.Internal, attempt.Context);
        Activity.Current = current;
        return span;
    }

    /// <summary>Ends an attempt's span (and its stream's) with the attempt's outcome.</summary>
    public static void EndAttempt(Activity? attempt, Activity? stream, AttemptOutcome outcome)
    {
        stream?.Stop();
        if (attempt is null)
        {
            return;
        }
        attempt.SetTag("http.response.status_code", outcome.Status);
        attempt.SetTag("error.type", outcome.ErrorCode);
        attempt.SetTag("multicodex.upstream_ttfb_ms", outcome.TimeToFirstByte?.TotalMilliseconds);
        SetUsage(attempt, new UsageFacts(outcome.Usage.InputTokens, outcome.Usage.CachedInputTokens, outcome.Usage.OutputTokens, outcome.Usage.ReasoningTokens, 0));
        // A client that went away is not the attempt's failure.
        if (outcome.Status is 0 or >= 400 && outcome.Status != StatusCodes.Status499ClientClosedRequest)
        {
            attempt.SetStatus(ActivityStatusCode.Error, outcome.ErrorCode);
        }
        attempt.Stop();
    }

    private static void SetTiming(Activity span, in RequestTiming timing)
    {
        span.SetTag("multicodex.attempts", timing.Attempts);
        span.SetTag("multicodex.proxy_ms", timing.Proxy.TotalMilliseconds);
        span.SetTag("multicodex.failover_ms", timing.Failover.TotalMilliseconds);
        span.SetTag("multicodex.upstream_ttfb_ms", timing.UpstreamTimeToFirstByte?.TotalMilliseconds);
    }

    private static void SetUsage(Activity span, UsageFacts usage)
    {
        if (usage.InputTokens + usage.OutputTokens > 0)
        {
            span.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
            span.SetTag("gen_ai.usage.cached_input_tokens", usage.CachedInputTokens);
            span.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
        }
    }
}
