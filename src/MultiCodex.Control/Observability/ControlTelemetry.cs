using System.Diagnostics;
using MultiCodex.Hosting;

namespace MultiCodex.Control.Observability;

/// <summary>
/// Control's part of OpenTelemetry (off unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set): spans only inside a trace
/// an Edge started, never a trace of its own, and Control's metrics (<see cref="ControlMeter"/>).
/// <list type="bullet">
/// <item>A call that carries W3C trace context gets a server span, a child of the Edge's span that made it (the token
/// refresh after a 401 carries it natively over gRPC). Calls without it — the Edges' report batches and pool
/// watches, the dashboard — get none, so background traffic starts no traces.</item>
/// <item>Each attempt report that names its span (<c>AttemptReport.traceparent</c>) gets a <c>pool.apply_attempt</c>
/// span as a child of that attempt: Control's work on the outcome (the block it may cause) sits in the request's
/// trace. A child rather than a link: it is the same request's work, done later and elsewhere, and a link from the
/// batch would need a batch span that no trace owns.</item>
/// </list>
/// Attributes name accounts by id: never a token, a key or an email.
/// </summary>
internal static class ControlTelemetry
{
    public const string Name = "MultiCodex.Control";

    private static readonly ActivitySource Source = new(Name);

    /// <summary>Turns OpenTelemetry on when it is configured.</summary>
    public static WebApplicationBuilder AddControlTelemetry(this WebApplicationBuilder builder)
    {
        // The meters are the ones /metrics serves too (ControlMeter): one definition of each instrument.
        builder.AddMultiCodexTelemetry(new TelemetryPlan("multicodex-control", [Name], [ControlMeter.Name], OpenTelemetrySetup.HasTraceContext));
        return builder;
    }

    /// <summary>
    /// Begins the span of applying one attempt report, a child of the attempt's span; null when the report names none
    /// (or nobody listens). It does not become current: the batch's other reports are not its children.
    /// </summary>
    public static Activity? StartApplying(V1.AttemptReport attempt, string edgeId)
    {
        if (attempt.Traceparent.Length == 0 || !Source.HasListeners()
            || !ActivityContext.TryParse(attempt.Traceparent, traceState: null, isRemote: true, out var parent))
        {
            return null;
        }
        var current = Activity.Current;
        var span = Source.StartActivity("pool.apply_attempt", ActivityKind.Internal, parent);
        Activity.Current = current;
        span?.SetTag("multicodex.request_id", attempt.RequestId);
        span?.SetTag("multicodex.attempt", attempt.Attempt);
        span?.SetTag("multicodex.account.id", attempt.AccountId);
        span?.SetTag("multicodex.edge.id", edgeId);
        span?.SetTag("http.response.status_code", attempt.StatusCode);
        span?.SetTag("error.type", attempt.ErrorCode.Length > 0 ? attempt.ErrorCode : null);
        return span;
    }

    /// <summary>Ends it with whether the outcome blocked the account.</summary>
    public static void Applied(Activity? span, bool blocked)
    {
        if (span is null)
        {
            return;
        }
        var current = Activity.Current;
        span.SetTag("multicodex.account.blocked", blocked);
        span.Stop();
        Activity.Current = current;
    }
}
