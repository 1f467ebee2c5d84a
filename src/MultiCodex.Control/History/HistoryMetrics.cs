using System.Diagnostics.Metrics;
using MultiCodex.Control.Observability;

namespace MultiCodex.Control.History;

/// <summary>
/// Figures of the history store, and the token counters by account and key that let Prometheus compute prompt-cache
/// hit rates (<c>cached_input ÷ input</c>) without asking the store. Instruments of <see cref="ControlMeter"/>.
/// </summary>
internal static class HistoryMetrics
{
    private static readonly UpDownCounter<long> Queued = ControlMeter.Meter.CreateUpDownCounter<long>(
        "multicodex.control.history.queued", "{entry}", "History entries waiting for the writer.");

    private static readonly Counter<long> Written = ControlMeter.Meter.CreateCounter<long>(
        "multicodex.control.history.written", "{entry}", "History entries written to history.db.");

    private static readonly Counter<long> WriteFailures = ControlMeter.Meter.CreateCounter<long>(
        "multicodex.control.history.write_failures", "{batch}", "Failed tries to write a batch of history entries (each is retried).");

    private static readonly Counter<long> Dropped = ControlMeter.Meter.CreateCounter<long>(
        "multicodex.control.history.dropped", "{entry}", "History entries given up on: queue_full, or write_failed after the retries.");

    private static readonly Counter<long> Tokens = ControlMeter.Meter.CreateCounter<long>(
        "multicodex.control.tokens", "{token}", "Tokens of upstream attempts by account id, client key and type (input, cached_input, output, reasoning).");

    /// <summary>Creates the unlabelled series and both drop reasons at 0, so a scrape shows them before the first entry.</summary>
    public static void Initialize()
    {
        Queued.Add(0);
        Written.Add(0);
        WriteFailures.Add(0);
        Dropped.Add(0, new KeyValuePair<string, object?>("reason", "queue_full"));
        Dropped.Add(0, new KeyValuePair<string, object?>("reason", "write_failed"));
    }

    public static void Enqueued() => Queued.Add(1);

    public static void Dequeued(int count) => Queued.Add(-count);

    public static void WroteBatch(int count) => Written.Add(count);

    public static void WriteFailed() => WriteFailures.Add(1);

    public static void DroppedEntries(string reason, int count) => Dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public static void CountTokens(string accountId, string key, long input, long cachedInput, long output, long reasoning)
    {
        // Touch every series, zero included, so a rate over cached_input ÷ input exists from the first request.
        Count(accountId, key, "input", input);
        Count(accountId, key, "cached_input", cachedInput);
        Count(accountId, key, "output", output);
        Count(accountId, key, "reasoning", reasoning);
    }

    private static void Count(string account, string key, string type, long tokens) =>
        Tokens.Add(tokens, new("account", account), new("key", key), new("type", type));
}
