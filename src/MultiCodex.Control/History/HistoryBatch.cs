using Microsoft.Data.Sqlite;

namespace MultiCodex.Control.History;

/// <summary>
/// Writes one batch of entries in one transaction. Every write is idempotent — an attempt is keyed by its request
/// and number, an answer by its request, a sample by account, time and meter — so a report that an Edge delivers
/// again (after a lost reply, or to a restarted Control) never counts twice.
/// </summary>
internal static class HistoryBatch
{
    private const string InsertAttempt = """
        INSERT INTO attempts (request_id, attempt, time_ms, account_id, account_email, key_name, key_id, model, status, error_code, is_error,
            blocked, ttfb_ms, duration_ms, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens)
        VALUES ($request, $attempt, $time, $account, $email, $key, $key_id, $model, $status, $error, $is_error,
            $blocked, $ttfb, $duration, $input, $cached, $output, $reasoning)
        ON CONFLICT DO NOTHING
        """;

    private const string EnsureRequest = """
        INSERT INTO requests (request_id, time_ms, endpoint, transport, model, key_name, key_id)
        VALUES ($request, $time, $endpoint, $transport, $model, $key, $key_id)
        ON CONFLICT (request_id) DO NOTHING
        """;

    private const string UpsertAnswer = """
        INSERT INTO requests (request_id, time_ms, endpoint, transport, model, key_name, key_id, answered, answer_status, answer_error,
            answer_start_ms, answer_duration_ms)
        VALUES ($request, $time, $endpoint, $transport, $model, $key, $key_id, 1, $status, $error, $time, $duration)
        ON CONFLICT (request_id) DO UPDATE SET endpoint = excluded.endpoint, transport = excluded.transport, model = excluded.model,
            key_name = excluded.key_name, key_id = excluded.key_id, answered = 1, answer_status = excluded.answer_status, answer_error = excluded.answer_error,
            answer_start_ms = excluded.answer_start_ms, answer_duration_ms = excluded.answer_duration_ms
        """;

    private const string InsertSample = """
        INSERT INTO usage_samples (account_id, time_ms, meter, used_percent, window_seconds, reset_ms)
        VALUES ($account, $time, $meter, $percent, $window, $reset)
        ON CONFLICT DO NOTHING
        """;

    private const string Prune = """
        DELETE FROM attempts WHERE request_id IN (SELECT request_id FROM requests WHERE time_ms < $cutoff);
        DELETE FROM requests WHERE time_ms < $cutoff;
        DELETE FROM attempts WHERE time_ms < $cutoff;
        DELETE FROM usage_samples WHERE time_ms < $cutoff;
        """;

    public static void Apply(SqliteConnection connection, IReadOnlyList<HistoryEntry> entries)
    {
        using var transaction = connection.BeginTransaction();
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case AttemptEntry attempt:
                    Run(connection, transaction, InsertAttempt, ("$request", attempt.RequestId), ("$attempt", attempt.Attempt),
                        ("$time", Ms(attempt.Time)), ("$account", attempt.AccountId), ("$email", attempt.AccountEmail), ("$key", attempt.KeyName),
                        ("$key_id", attempt.KeyId), ("$model", attempt.Model), ("$status", attempt.Status), ("$error", attempt.ErrorCode),
                        ("$is_error", Outcome.IsError(attempt.Status, attempt.ErrorCode)), ("$blocked", attempt.Blocked),
                        ("$ttfb", Ms(attempt.TimeToFirstByte)), ("$duration", Ms(attempt.Duration)), ("$input", attempt.InputTokens),
                        ("$cached", attempt.CachedInputTokens), ("$output", attempt.OutputTokens), ("$reasoning", attempt.ReasoningTokens));
                    Run(connection, transaction, EnsureRequest, ("$request", attempt.RequestId), ("$time", Ms(attempt.Time)),
                        ("$endpoint", attempt.Endpoint), ("$transport", attempt.Transport), ("$model", attempt.Model), ("$key", attempt.KeyName),
                        ("$key_id", attempt.KeyId));
                    touched.Add(attempt.RequestId);
                    break;
                case AnswerEntry answer:
                    Run(connection, transaction, UpsertAnswer, ("$request", answer.RequestId), ("$time", Ms(answer.Time)),
                        ("$endpoint", answer.Endpoint), ("$transport", answer.Transport), ("$model", answer.Model), ("$key", answer.KeyName),
                        ("$key_id", answer.KeyId), ("$status", answer.Status), ("$error", answer.ErrorCode), ("$duration", Ms(answer.Duration)));
                    touched.Add(answer.RequestId);
                    break;
                case UsageSampleEntry sample:
                    Run(connection, transaction, InsertSample, ("$account", sample.AccountId), ("$time", Ms(sample.Time)), ("$meter", sample.Meter),
                        ("$percent", sample.UsedPercent), ("$window", sample.Window is { } w ? (long)w.TotalSeconds : null),
                        ("$reset", Ms(sample.ResetsAt)));
                    break;
                case PruneEntry prune:
                    Run(connection, transaction, Prune, ("$cutoff", Ms(prune.Cutoff)));
                    break;
            }
        }
        foreach (var requestId in touched)
        {
            RequestSummary.Recompute(connection, transaction, requestId);
        }
        transaction.Commit();
    }

    public static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        command.ExecuteNonQuery();
    }

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static long? Ms(TimeSpan? span) => span is { } s ? (long)Math.Round(s.TotalMilliseconds) : null;
}
