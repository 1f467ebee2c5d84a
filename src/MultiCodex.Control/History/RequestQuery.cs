using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace MultiCodex.Control.History;

/// <summary>
/// Lists stored requests newest first (by arrival, then by row: a stable order), filtered, in pages. A page token
/// is the position after the page's last row plus a digest of the filters (AIP-158: a token is only valid with the
/// filters it was made for), so rows that arrive meanwhile never shift a page or repeat a row.
/// </summary>
public sealed class RequestQuery(HistoryDatabase database)
{
    /// <summary>Returns one page, and the next page's token (null on the last page).</summary>
    /// <exception cref="FormatException">The page token is not one this server gave out for these filters.</exception>
    public (IReadOnlyList<RequestView> Requests, string? NextPageToken) List(RequestFilter filter, int pageSize, string? pageToken)
    {
        var cursor = string.IsNullOrEmpty(pageToken) ? null : Cursor.Parse(pageToken, Digest(filter));
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var where = new List<string>();
        void Where(string clause, string name, object value)
        {
            where.Add(clause);
            command.Parameters.AddWithValue(name, value);
        }
        if (!string.IsNullOrEmpty(filter.AccountId))
        {
            Where("EXISTS (SELECT 1 FROM attempts a WHERE a.request_id = r.request_id AND a.account_id = $account)", "$account", filter.AccountId);
        }
        if (!string.IsNullOrEmpty(filter.KeyName))
        {
            Where("r.key_name = $key", "$key", filter.KeyName);
        }
        if (!string.IsNullOrEmpty(filter.Model))
        {
            Where("r.model = $model", "$model", filter.Model);
        }
        if (!string.IsNullOrEmpty(filter.Transport))
        {
            Where("r.transport = $transport", "$transport", filter.Transport);
        }
        if (!string.IsNullOrEmpty(filter.Endpoint))
        {
            Where("r.endpoint = $endpoint", "$endpoint", filter.Endpoint);
        }
        switch (filter.Status)
        {
            case { AnyError: true }:
                where.Add("r.is_error = 1");
                break;
            case { Class: { } statusClass }:
                Where("r.status BETWEEN $class * 100 AND $class * 100 + 99", "$class", statusClass);
                break;
            case { Exact: { } exact }:
                Where("r.status = $status", "$status", exact);
                break;
        }
        if (filter.Start is { } start)
        {
            Where("r.time_ms >= $start", "$start", start.ToUnixTimeMilliseconds());
        }
        if (filter.End is { } end)
        {
            Where("r.time_ms < $end", "$end", end.ToUnixTimeMilliseconds());
        }
        if (cursor is { } after)
        {
            where.Add("(r.time_ms < $after_time OR (r.time_ms = $after_time AND r.id < $after_id))");
            command.Parameters.AddWithValue("$after_time", after.Time);
            command.Parameters.AddWithValue("$after_id", after.Id);
        }
        command.CommandText = $"""
            SELECT r.id, r.request_id, r.time_ms, r.endpoint, r.transport, r.model, r.key_name, r.status, r.error_code, r.answered,
                r.account_id, r.account_email, r.ttfb_ms, r.duration_ms, r.input_tokens, r.cached_input_tokens, r.output_tokens, r.reasoning_tokens
            FROM requests r {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY r.time_ms DESC, r.id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", pageSize + 1);
        var rows = new List<(long Id, RequestView View)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), new RequestView(reader.GetString(1), Time(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetString(8), reader.GetBoolean(9), reader.GetString(10),
                    reader.GetString(11), Span(reader, 12), Span(reader, 13),
                    new TokenCounts(reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16), reader.GetInt64(17)), [])));
            }
        }
        var more = rows.Count > pageSize;
        var page = rows.Take(pageSize).ToList();
        var attempts = AttemptsOf(connection, page.Select(r => r.View.RequestId).ToList());
        var views = page.Select(r => r.View with { Attempts = attempts.GetValueOrDefault(r.View.RequestId) ?? [] }).ToList();
        var next = more ? new Cursor(page[^1].View.Time.ToUnixTimeMilliseconds(), page[^1].Id).Format(Digest(filter)) : null;
        return (views, next);
    }

    private static Dictionary<string, List<AttemptView>> AttemptsOf(SqliteConnection connection, List<string> requestIds)
    {
        var result = new Dictionary<string, List<AttemptView>>(StringComparer.Ordinal);
        if (requestIds.Count == 0)
        {
            return result;
        }
        using var command = connection.CreateCommand();
        var names = requestIds.Select((id, i) =>
        {
            command.Parameters.AddWithValue($"$r{i}", id);
            return $"$r{i}";
        });
        command.CommandText = $"""
            SELECT request_id, attempt, time_ms, account_id, account_email, status, error_code, blocked, ttfb_ms, duration_ms,
                input_tokens, cached_input_tokens, output_tokens, reasoning_tokens
            FROM attempts WHERE request_id IN ({string.Join(", ", names)}) ORDER BY request_id, attempt
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }
            list.Add(new AttemptView(reader.GetInt32(1), Time(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
                reader.GetString(6), reader.GetBoolean(7), Span(reader, 8), Span(reader, 9) ?? TimeSpan.Zero,
                new TokenCounts(reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13))));
        }
        return result;
    }

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static TimeSpan? Span(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(column));

    private static string Digest(RequestFilter filter) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
        filter.AccountId, filter.KeyName, filter.Model, filter.Status, filter.Transport, filter.Endpoint,
        filter.Start?.ToUnixTimeMilliseconds(), filter.End?.ToUnixTimeMilliseconds()))))[..12];

    /// <summary>The position after a page's last row.</summary>
    private sealed record Cursor(long Time, long Id)
    {
        public string Format(string digest) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"1.{Time}.{Id}.{digest}"));

        public static Cursor Parse(string token, string digest)
        {
            var parts = Base64Url.IsValid(token) ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('.') : [];
            if (parts is not ["1", var time, var id, var tokenDigest] || !long.TryParse(time, out var t) || !long.TryParse(id, out var i))
            {
                throw new FormatException("page_token is not a token this server gave out; start from the first page.");
            }
            if (tokenDigest != digest)
            {
                throw new FormatException("page_token belongs to other filters; keep the filters of the first page, or start again.");
            }
            return new Cursor(t, i);
        }
    }
}
