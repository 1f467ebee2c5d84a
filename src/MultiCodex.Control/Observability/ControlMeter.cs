using System.Diagnostics.Metrics;

namespace MultiCodex.Control.Observability;

/// <summary>
/// The meter of Control's own instruments (<c>MultiCodex.Control</c>). Every Control metric is defined once, here or
/// on a meter of the same name (the pool's gauges, <see cref="PoolGauges"/>), and reaches both exporters from that one
/// definition: Prometheus' <c>/metrics</c> through <see cref="PrometheusMeterBridge"/>, OTLP through OpenTelemetry
/// when it is on. Instrument names use dots where Prometheus has underscores (<c>multicodex.control.events</c> is
/// <c>multicodex_control_events_total</c>); tags are the Prometheus label names, so both exports read alike.
/// </summary>
internal static class ControlMeter
{
    public const string Name = "MultiCodex.Control";

    /// <summary>The process-wide meter of the counters (history, tokens, events, webhooks).</summary>
    public static readonly Meter Meter = new(Name);
}
