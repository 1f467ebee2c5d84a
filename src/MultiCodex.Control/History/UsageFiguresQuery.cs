using Microsoft.Data.Sqlite;

namespace MultiCodex.Control.History;

/// <summary>
/// Sums the stored history: per client key and per model by client requests (what clients asked for and got), per
/// account by upstream attempts (what each account served or refused, failovers included).
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
        var keys = Groups(connection,
            $"SELECT key_name, key_name, {Sums} FROM requests WHERE time_ms >= $start AND time_ms < $end GROUP BY key_name", start, end);
        var models = Groups(connection,
            $"SELECT model, model, {Sums} FROM requests WHERE time_ms >= $start AND time_ms < $end GROUP BY model", start, end);
        return new UsageOverview(start, end, total, MostFirst(accounts), MostFirst(keys), MostFirst(models));
    }

    /// <summary>One key's totals since each of <paramref name="starts"/>, and when it was last used at all.</summary>
    public (IReadOnlyList<UsageTotals> Periods, DateTimeOffset? LastUsed) ForKey(string keyName, IReadOnlyList<DateTimeOffset> starts, DateTimeOffset end)
    {
        using var connection = database.Open();
        var periods = starts.Select(start => Groups(connection,
                $"SELECT key_name, key_name, {Sums} FROM requests WHERE key_name = $key AND time_ms >= $start AND time_ms < $end",
                start, end, ("$key", keyName)).FirstOrDefault()?.Totals ?? UsageTotals.None).ToList();
        using var last = connection.CreateCommand();
        last.CommandText = "SELECT MAX(time_ms) FROM requests WHERE key_name = $key";
        last.Parameters.AddWithValue("$key", keyName);
        var lastUsed = last.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        return (periods, lastUsed);
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
