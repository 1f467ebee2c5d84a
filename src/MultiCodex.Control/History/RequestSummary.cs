using Microsoft.Data.Sqlite;

namespace MultiCodex.Control.History;

/// <summary>
/// Derives a request row's summary from its attempts and its answer, whichever arrived: the attempts and the answer
/// travel in separate reports, possibly in separate batches, in either order.
/// </summary>
internal static class RequestSummary
{
    private const string Update = """
        UPDATE requests SET time_ms = $time, status = $status, error_code = $error, is_error = $is_error, account_id = $account,
            account_email = $email, attempt_count = $count, ttfb_ms = $ttfb, duration_ms = $duration, input_tokens = $input,
            cached_input_tokens = $cached, output_tokens = $output, reasoning_tokens = $reasoning
        WHERE request_id = $request
        """;

    public static void Recompute(SqliteConnection connection, SqliteTransaction transaction, string requestId)
    {
        var attempts = Attempts(connection, transaction, requestId);
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT answered, answer_status, answer_error, answer_start_ms, answer_duration_ms, time_ms FROM requests WHERE request_id = $request";
        read.Parameters.AddWithValue("$request", requestId);
        using var reader = read.ExecuteReader();
        if (!reader.Read())
        {
            return;
        }
        var answered = reader.GetBoolean(0);
        var (answerStatus, answerError) = (reader.GetInt32(1), reader.GetString(2));
        long? answerStart = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        long? answerDuration = reader.IsDBNull(4) ? null : reader.GetInt64(4);
        var storedTime = reader.GetInt64(5);
        reader.Close();

        var last = attempts.Count > 0 ? attempts[^1] : null;
        // The request began when the Edge received it; without its answer, when its first attempt went upstream.
        var start = answerStart ?? (attempts.Count > 0 ? attempts.Min(a => a.Time) : storedTime);
        var status = answered ? answerStatus : last?.Status ?? 0;
        var error = answered ? answerError : last?.Error ?? "";
        long? ttfb = last?.Ttfb is { } lastTtfb ? Math.Max(0, last.Time + lastTtfb - start) : null;
        long? duration = answerDuration ?? (last is null ? null : last.Time + last.Duration - start);
        HistoryBatch.Run(connection, transaction, Update, ("$request", requestId), ("$time", start), ("$status", status), ("$error", error),
            ("$is_error", Outcome.IsError(status, error)), ("$account", last?.AccountId ?? ""), ("$email", last?.AccountEmail ?? ""),
            ("$count", attempts.Count), ("$ttfb", ttfb), ("$duration", duration),
            ("$input", attempts.Sum(a => a.Input)), ("$cached", attempts.Sum(a => a.Cached)),
            ("$output", attempts.Sum(a => a.Output)), ("$reasoning", attempts.Sum(a => a.Reasoning)));
    }

    private static List<AttemptRow> Attempts(SqliteConnection connection, SqliteTransaction transaction, string requestId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT time_ms, account_id, account_email, status, error_code, ttfb_ms, duration_ms,
                input_tokens, cached_input_tokens, output_tokens, reasoning_tokens
            FROM attempts WHERE request_id = $request ORDER BY attempt
            """;
        command.Parameters.AddWithValue("$request", requestId);
        using var reader = command.ExecuteReader();
        var rows = new List<AttemptRow>();
        while (reader.Read())
        {
            rows.Add(new AttemptRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.GetInt64(6),
                reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10)));
        }
        return rows;
    }

    private sealed record AttemptRow(long Time, string AccountId, string AccountEmail, int Status, string Error, long? Ttfb, long Duration,
        long Input, long Cached, long Output, long Reasoning);
}
