using System.Diagnostics;

namespace MultiCodex.Edge.Observability;

/// <summary>
/// W3C trace context on the Edge's calls to Control that names the nearest span OpenTelemetry exports, so that
/// Control's span hangs off a span the tracing backend has. The HTTP handler under a gRPC call injects the context
/// of the innermost activity — one the gRPC client and the handler create for themselves and never export — and
/// Control's span would then point at a parent no backend ever receives. With no exported span in scope (a
/// background call: the report batches, the pool watch) nothing is injected, so Control starts no trace of its own.
/// Extraction is the inner propagator's.
/// </summary>
internal sealed class ExportedSpanPropagator(DistributedContextPropagator inner) : DistributedContextPropagator
{
    public override IReadOnlyCollection<string> Fields => inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        while (activity is not null && !IsExported(activity))
        {
            activity = activity.Parent;
        }
        if (activity is not null)
        {
            inner.Inject(activity, carrier, setter);
        }
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        inner.ExtractBaggage(carrier, getter);

    // Activities made without a listener (new Activity(name)) belong to the unnamed default source; a sampled one
    // from a listened source is recorded and asked for all its data.
    private static bool IsExported(Activity activity) =>
        activity.Recorded && activity.IsAllDataRequested && activity.Source.Name.Length > 0;
}
