using Prometheus;

namespace MultiCodex.Control.History;

/// <summary>
/// Prometheus figures of the history store, and the token counters by account and key that let Prometheus compute
/// prompt-cache hit rates (<c>cached_input ÷ input</c>) without asking the store.
/// </summary>
internal static class HistoryMetrics
{
    public static readonly Gauge Queued = Metrics.CreateGauge("multicodex_control_history_queued", "History entries waiting for the writer.");

    public static readonly Counter Written = Metrics.CreateCounter("multicodex_control_history_written_total", "History entries written to history.db.");

    public static readonly Counter WriteFailures = Metrics.CreateCounter(
        "multicodex_control_history_write_failures_total", "Failed tries to write a batch of history entries (each is retried).");

    public static readonly Counter Dropped = Metrics.CreateCounter(
        "multicodex_control_history_dropped_total", "History entries given up on: queue_full, or write_failed after the retries.", "reason");

    private static readonly Counter Tokens = Metrics.CreateCounter(
        "multicodex_control_tokens_total", "Tokens of upstream attempts by account (email), client key and type (input, cached_input, output, reasoning).",
        "account", "key", "type");

    public static void CountTokens(string account, string key, long input, long cachedInput, long output, long reasoning)
    {
        // Touch every series, zero included, so a rate over cached_input ÷ input exists from the first request.
        Tokens.WithLabels(account, key, "input").Inc(input);
        Tokens.WithLabels(account, key, "cached_input").Inc(cachedInput);
        Tokens.WithLabels(account, key, "output").Inc(output);
        Tokens.WithLabels(account, key, "reasoning").Inc(reasoning);
    }
}
