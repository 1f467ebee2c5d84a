using MultiCodex.Control.Accounts;
using MultiCodex.Control.History;

namespace MultiCodex.Control.Usage;

/// <summary>One observation of an account's meters.</summary>
public sealed record UsageHistorySample(string AccountId, DateTimeOffset Time, IReadOnlyList<UsageSampleEntry> Meters)
{
    public double? PercentOf(string meter) => Meters.FirstOrDefault(m => m.Meter == meter)?.UsedPercent;
}

/// <summary>
/// Samples every account's usage as it changes (probes and live headers), at most one sample per account per
/// <see cref="SampleInterval"/> unless the numbers moved, into the history store (kept for the history's retention),
/// for the dashboard's usage-over-time charts. One row per meter, so meters beyond the two windows need no new schema.
/// </summary>
public sealed class UsageHistory
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMinutes(5);

    /// <summary>The meter keys of the 5-hour and weekly windows (<see cref="MeterKeys"/>: the keys of the API and the dashboard).</summary>
    public const string FiveHourMeter = MeterKeys.FiveHour;
    public const string WeeklyMeter = MeterKeys.Weekly;

    /// <summary>How the first history builds keyed the 5-hour window; read as <see cref="FiveHourMeter"/>.</summary>
    private const string LegacyFiveHourMeter = "five_hour";

    private readonly Dictionary<string, UsageHistorySample> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly HistoryDatabase _database;
    private readonly HistoryWriter _writer;

    public UsageHistory(AccountStore store, HistoryDatabase database, HistoryWriter writer)
    {
        _database = database;
        _writer = writer;
        store.Changed += Record;
        Record(store.All);
    }

    /// <summary>Every meter an account's usage shows now, by its key (<c>5h</c>, <c>weekly</c>, <c>credits</c>, <c>reserve:gpt-reserve</c>, …).</summary>
    public static IEnumerable<UsageSampleEntry> MetersOf(string accountId, AccountUsageSnapshot usage) =>
        usage.Meters.Select(m => new UsageSampleEntry(accountId, usage.ObservedAt, m.Key, m.UsedPercent, m.Window, m.ResetsAt));

    /// <summary>
    /// One account's samples: a range of the primary key <c>(account_id, time_ms, meter)</c>, already in order. A
    /// single query with <c>($account = '' OR account_id = $account)</c> would read every account's rows instead.
    /// </summary>
    internal const string OneAccountQuery = """
        SELECT account_id, time_ms, meter, used_percent, window_seconds, reset_ms FROM usage_samples
        WHERE account_id = $account AND time_ms >= $since
        ORDER BY time_ms, meter
        """;

    /// <summary>Every account's samples: a range of <c>usage_samples_by_time</c>.</summary>
    internal const string AllAccountsQuery = """
        SELECT account_id, time_ms, meter, used_percent, window_seconds, reset_ms FROM usage_samples
        WHERE time_ms >= $since
        ORDER BY time_ms, account_id, meter
        """;

    /// <summary>The stored samples since a time, oldest first; of one account or all.</summary>
    public IReadOnlyList<UsageHistorySample> Samples(string? accountId, DateTimeOffset since)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = accountId is null ? AllAccountsQuery : OneAccountQuery;
        if (accountId is not null)
        {
            command.Parameters.AddWithValue("$account", accountId);
        }
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var samples = new List<UsageHistorySample>();
        while (reader.Read())
        {
            var key = reader.GetString(2);
            var meter = new UsageSampleEntry(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                key == LegacyFiveHourMeter ? FiveHourMeter : key,
                reader.GetDouble(3), reader.IsDBNull(4) ? null : TimeSpan.FromSeconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
            if (samples.Count > 0 && samples[^1] is var last && last.AccountId == meter.AccountId && last.Time == meter.Time)
            {
                samples[^1] = last with { Meters = [.. last.Meters, meter] };
            }
            else
            {
                samples.Add(new UsageHistorySample(meter.AccountId, meter.Time, [meter]));
            }
        }
        return samples;
    }

    // Called inside the store's write gate: queues, never waits for the disk.
    private void Record(IReadOnlyList<AccountRecord> accounts)
    {
        lock (_gate)
        {
            foreach (var account in accounts)
            {
                if (account.Usage is not { } usage)
                {
                    continue;
                }
                var sample = new UsageHistorySample(account.Id, usage.ObservedAt, MetersOf(account.Id, usage).ToList());
                if (sample.Meters.Count == 0
                    || (_last.TryGetValue(account.Id, out var last) && (sample.Time <= last.Time
                        || (sample.Time - last.Time < SampleInterval && SameNumbers(sample, last)))))
                {
                    continue;
                }
                _last[account.Id] = sample;
                foreach (var meter in sample.Meters)
                {
                    _writer.TryWrite(meter);
                }
            }
            foreach (var gone in _last.Keys.Where(id => accounts.All(a => a.Id != id)).ToList())
            {
                _last.Remove(gone);
            }
        }
    }

    private static bool SameNumbers(UsageHistorySample a, UsageHistorySample b) =>
        a.Meters.Count == b.Meters.Count && a.Meters.All(m => b.PercentOf(m.Meter) == m.UsedPercent);
}
