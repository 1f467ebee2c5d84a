using Microsoft.Data.Sqlite;
using MultiCodex.Pool.ClientKeys;

namespace MultiCodex.Control.History;

/// <summary>
/// Sums the stored history: per client key and per model by client requests (what clients asked for and got), per
/// account by upstream attempts (what each account served or refused, failovers included). Keys are told apart by id
/// (a key's name is only what is shown), so a revoked key and a new one with the same name never share figures.
/// </summary>
public sealed class UsageFiguresQuery(HistoryDatabase database)
{
    private const string Sums = """
        COUNT(*), COALESCE(SUM(is_error), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(cached_input_tokens), 0),
        COALESCE(SUM(output_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), MAX(time_ms)
        """;

    /// <summary>Totals over [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public UsageOverview Overview(DateTimeOffset start, DateTimeOffset end, Func<string, string?> accountEmail)
    {
        using var connection = database.Open();
        var total = Groups(connection, $"SELECT '', '', {Sums} FROM requests WHERE time_ms >= $start AND time_ms < $end", start, end)
            .FirstOrDefault()?.Totals ?? UsageTotals.None;
        var accounts = Groups(connection,
            $"SELECT account_id, MAX(account_email), {Sums} FROM attempts WHERE time_ms >= $start AND time_ms < $end GROUP BY account_id", start, end)
            .Select(g => g with { DisplayName = accountEmail(g.Id) ?? g.DisplayName });
        // Rows from before key ids were recorded, of a key that no longer exists, are grouped by its name.
        var keys = Groups(connection,
            $"SELECT CASE WHEN key_id <> '' THEN key_id ELSE key_name END AS k, MAX(key_name), {Sums} FROM requests WHERE time_ms >= $start AND time_ms < $end GROUP BY k",
            start, end);
        var models = Groups(connection,
            $"SELECT model, model, {Sums} FROM requests WHERE time_ms >= $start AND time_ms < $end GROUP BY model", start, end);
        return new UsageOverview(start, end, total, MostFirst(accounts), MostFirst(keys), MostFirst(models));
    }

    /// <summary>One key's totals since each of <paramref name="starts"/>, and when it was last used at all.</summary>
    public (IReadOnlyList<UsageTotals> Periods, DateTimeOffset? LastUsed) ForKey(string keyId, IReadOnlyList<DateTimeOffset> starts, DateTimeOffset end)
    {
        using var connection = database.Open();
        var periods = starts.Select(start => Groups(connection,
                $"SELECT key_id, key_id, {Sums} FROM requests WHERE key_id = $key AND time_ms >= $start AND time_ms < $end",
                start, end, ("$key", keyId)).FirstOrDefault()?.Totals ?? UsageTotals.None).ToList();
        using var last = connection.CreateCommand();
        last.CommandText = "SELECT MAX(time_ms) FROM requests WHERE key_id = $key";
        last.Parameters.AddWithValue("$key", keyId);
        var lastUsed = last.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        return (periods, lastUsed);
    }

    /// <summary>
    /// Every key's budget counts in the day, week and month under way at <paramref name="now"/>, as Control rebuilds
    /// them when it starts: the model requests (not the catalog) that were answered after at least one upstream
    /// attempt — what the Edges report for budgets — by the time they arrived, with their tokens (input plus output).
    /// </summary>
    public Dictionary<string, KeyUsageCounts> KeyBudgetCounts(DateTimeOffset now)
    {
        var (day, week, month) = (BudgetWindows.Of(BudgetPeriod.Day, now), BudgetWindows.Of(BudgetPeriod.Week, now), BudgetWindows.Of(BudgetPeriod.Month, now));
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT key_id,
                SUM(time_ms >= $day), SUM(CASE WHEN time_ms >= $day THEN input_tokens + output_tokens ELSE 0 END),
                SUM(time_ms >= $week), SUM(CASE WHEN time_ms >= $week THEN input_tokens + output_tokens ELSE 0 END),
                SUM(time_ms >= $month), SUM(CASE WHEN time_ms >= $month THEN input_tokens + output_tokens ELSE 0 END)
            FROM requests
            WHERE key_id <> '' AND time_ms >= $earliest AND answered = 1 AND attempt_count > 0 AND endpoint <> 'models'
            GROUP BY key_id
            """;
        command.Parameters.AddWithValue("$day", day.Start.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$week", week.Start.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$month", month.Start.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$earliest", BudgetWindows.EarliestStart(now).ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, KeyUsageCounts>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = new KeyUsageCounts(
                new WindowCount(day.Start, reader.GetInt64(1), reader.GetInt64(2)),
                new WindowCount(week.Start, reader.GetInt64(3), reader.GetInt64(4)),
                new WindowCount(month.Start, reader.GetInt64(5), reader.GetInt64(6)));
        }
        return counts;
    }

    private static List<UsageGroupTotals> Groups(SqliteConnection connection, string sql, DateTimeOffset start, DateTimeOffset end,
        params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$start", start.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$end", end.ToUnixTimeMilliseconds());
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        using var reader = command.ExecuteReader();
        var groups = new List<UsageGroupTotals>();
        while (reader.Read())
        {
            var count = reader.GetInt64(2);
            if (count == 0)
            {
                continue; // an aggregate without GROUP BY answers one row even when nothing matched
            }
            groups.Add(new UsageGroupTotals(reader.GetString(0), reader.GetString(1), new UsageTotals(count, reader.GetInt64(3),
                new TokenCounts(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)))));
        }
        return groups;
    }

    private static List<UsageGroupTotals> MostFirst(IEnumerable<UsageGroupTotals> groups) =>
        groups.OrderByDescending(g => g.Totals.Requests).ThenBy(g => g.DisplayName, StringComparer.Ordinal).ToList();
}
