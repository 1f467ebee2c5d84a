using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Prometheus;

namespace MultiCodex.Control.Observability;

/// <summary>
/// Publishes the instruments of Control's meter (<see cref="ControlMeter.Name"/>) on prometheus-net's registry, so
/// <c>/metrics</c> and OTLP export the same instruments. prometheus-net's own meter adapter is not used: it names a
/// series after its meter and its instrument (<c>multicodex_control_multicodex_control_accounts</c>, a second copy of
/// every series), republishes every other meter too (Kestrel's, HttpClient's), and drops series that stay unchanged.
/// Names: dots become underscores and counters end in <c>_total</c>; the tags are the labels.
/// </summary>
internal static class PrometheusMeterBridge
{
    private static readonly Lock Gate = new();
    private static MeterListener? s_listener;

    // One collector per instrument name: several Controls in one process (tests) share the registry, as they share its names.
    private static readonly ConcurrentDictionary<string, Collector> Collectors = new();

    /// <summary>Starts the bridge once per process; later calls do nothing.</summary>
    public static void Start()
    {
        lock (Gate)
        {
            if (s_listener is not null)
            {
                return;
            }
            var listener = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name != ControlMeter.Name)
                    {
                        return;
                    }
                    // Thrown where the instrument is created, at start: never on a request that records.
                    if (!IsCounter(instrument) && !IsGauge(instrument))
                    {
                        throw new NotSupportedException($"{instrument.Name}: a {instrument.GetType().Name} has no Prometheus mapping in Control.");
                    }
                    listener.EnableMeasurementEvents(instrument);
                },
            };
            listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, _) => Record(instrument, value, tags));
            listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, _) => Record(instrument, value, tags));
            listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, _) => Record(instrument, value, tags));
            listener.Start();
            // Gauges are read when /metrics is scraped, and only then.
            Metrics.DefaultRegistry.AddBeforeCollectCallback(listener.RecordObservableInstruments);
            s_listener = listener;
        }
    }

    /// <summary>The Prometheus name of an instrument: <c>multicodex.control.events</c> counter → <c>multicodex_control_events_total</c>.</summary>
    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return IsCounter(instrument) ? name + "_total" : name;
    }

    private static void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new string[tags.Length];
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = tags[i].Key;
            values[i] = Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        var collector = Collectors.GetOrAdd(PrometheusName(instrument), static (name, state) => Create(name, state.Instrument, state.Labels), (Instrument: instrument, Labels: labels));
        switch (collector)
        {
            case Counter counter:
                counter.WithLabels(values).Inc(value);
                break;
            case Gauge gauge when instrument.IsObservable:
                gauge.WithLabels(values).Set(value);
                break;
            case Gauge gauge:
                gauge.WithLabels(values).Inc(value);
                break;
        }
    }

    private static Collector Create(string name, Instrument instrument, string[] labels) => IsCounter(instrument)
        ? Metrics.CreateCounter(name, instrument.Description ?? "", labels)
        : Metrics.CreateGauge(name, instrument.Description ?? "", labels);

    // Control defines counters, up-down counters and gauges; a histogram would need its buckets mapped first.
    private static bool IsCounter(Instrument instrument) => instrument is Counter<long> or Counter<int> or Counter<double>;

    private static bool IsGauge(Instrument instrument) =>
        instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> or UpDownCounter<long> or UpDownCounter<int>;
}
