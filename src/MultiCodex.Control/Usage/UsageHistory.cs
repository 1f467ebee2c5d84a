using MultiCodex.Control.Accounts;

namespace MultiCodex.Control.Usage;

/// <summary>One observation of an account's windows.</summary>
public sealed record UsageHistorySample(string AccountId, DateTimeOffset Time, double? FiveHourUsedPercent, double? WeeklyUsedPercent);

/// <summary>
/// Samples every account's usage as it changes (probes and live headers), at most one sample per account per
/// <see cref="SampleInterval"/> unless the numbers moved, for the dashboard's usage-over-time chart. Kept in
/// memory for the last seven days: the upstream stays the source of truth, the chart is a convenience.
/// </summary>
public sealed class UsageHistory
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private readonly Dictionary<string, List<UsageHistorySample>> _samples = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public UsageHistory(AccountStore store)
    {
        store.Changed += Record;
        Record(store.All);
    }

    public IReadOnlyList<UsageHistorySample> Samples(string? accountId)
    {
        lock (_gate)
        {
            return (accountId is null ? _samples.Values.SelectMany(s => s) : _samples.GetValueOrDefault(accountId) ?? [])
                .OrderBy(s => s.Time).ToList();
        }
    }

    private void Record(IReadOnlyList<AccountRecord> accounts)
    {
        lock (_gate)
        {
            foreach (var account in accounts)
            {
                if (account.Usage is not { } usage || (usage.FiveHour is null && usage.Weekly is null))
                {
                    continue;
                }
                var sample = new UsageHistorySample(account.Id, usage.ObservedAt, usage.FiveHour?.UsedPercent, usage.Weekly?.UsedPercent);
                if (!_samples.TryGetValue(account.Id, out var list))
                {
                    _samples[account.Id] = list = [];
                }
                var last = list.Count > 0 ? list[^1] : null;
                if (last is not null && (sample.Time <= last.Time
                    || (sample.Time - last.Time < SampleInterval && sample.FiveHourUsedPercent == last.FiveHourUsedPercent
                        && sample.WeeklyUsedPercent == last.WeeklyUsedPercent)))
                {
                    continue;
                }
                list.Add(sample);
                list.RemoveAll(s => s.Time < sample.Time - Retention);
            }
            foreach (var gone in _samples.Keys.Where(id => accounts.All(a => a.Id != id)).ToList())
            {
                _samples.Remove(gone);
            }
        }
    }
}
