using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MultiCodex.Control.Usage;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Leases;

namespace MultiCodex.Tests.History;

/// <summary>
/// <c>GET /admin/usage/history</c> without a start time answers the last 24 hours, not the whole retained history;
/// its account filter returns that account's rows only, read through the primary key rather than a scan.
/// </summary>
public sealed class UsageHistoryWindowTests
{
    [Fact]
    public async Task WithoutStartTime_TheLastDay_AndTheAccountFilter_ReturnTheRightRows()
    {
        var clock = new TimerAwareClock(DateTimeOffset.UtcNow);
        using var data = new TempDirectory();
        await using var control = await ControlHost.StartAsync(data.Path, Stack.AdminToken, time: clock);
        using var admin = new HttpClient { BaseAddress = control.Url };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var ada = await AddAccountAsync(admin, "window-ada@example.com");
        var bob = await AddAccountAsync(admin, "window-bob@example.com");
        var edge = new PoolClient(control.Channel);
        var start = clock.GetUtcNow();

        // Ada two days ago (10 %), then ada and bob now (20 % and 30 %); each report is acknowledged once stored.
        await edge.SendAsync(PoolClient.Of(PoolClient.Attempt(ada, 200, headers: PoolClient.Windows(clock.GetUtcNow(), 10, 5, weeklyResetHours: 100))));
        clock.Advance(TimeSpan.FromDays(2));
        await edge.SendAsync(PoolClient.Of(PoolClient.Attempt(ada, 200, headers: PoolClient.Windows(clock.GetUtcNow(), 20, 6, weeklyResetHours: 60))));
        await edge.SendAsync(PoolClient.Of(PoolClient.Attempt(bob, 200, headers: PoolClient.Windows(clock.GetUtcNow(), 30, 7, weeklyResetHours: 60))));
        var since = Uri.EscapeDataString((start - TimeSpan.FromMinutes(1)).ToString("O"));

        // Samples of the same time come in account id order: compared as sets where two accounts share a time.
        Assert.Equal(new[] { (ada, 20.0), (bob, 30.0) }.Order(), (await SamplesAsync(admin, "")).Order());
        Assert.Equal([(ada, 20.0)], await SamplesAsync(admin, $"?accountId={ada}"));
        Assert.Equal([(bob, 30.0)], await SamplesAsync(admin, $"?accountId={bob}"));
        Assert.Equal([(ada, 10.0), (ada, 20.0)], await SamplesAsync(admin, $"?accountId={ada}&startTime={since}"));
        var all = await SamplesAsync(admin, $"?startTime={since}");
        Assert.Equal((ada, 10.0), all[0]);
        Assert.Equal(new[] { (ada, 20.0), (bob, 30.0) }.Order(), all.Skip(1).Order());
    }

    [Fact]
    public async Task TheAccountFilter_SearchesThePrimaryKey_AndTheTimeFilter_ItsIndex()
    {
        using var data = new TempDirectory();
        await using (await ControlHost.StartAsync(data.Path))
        {
            // Started once: history.db exists with the current schema.
        }
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, MultiCodex.Control.History.HistoryDatabase.FileName)};Mode=ReadOnly");
        await connection.OpenAsync();

        var oneAccount = await PlanAsync(connection, UsageHistory.OneAccountQuery, ("$account", "acc_1"), ("$since", 0L));
        var allAccounts = await PlanAsync(connection, UsageHistory.AllAccountsQuery, ("$since", 0L));

        Assert.Contains("SEARCH usage_samples USING PRIMARY KEY (account_id=? AND time_ms>?)", oneAccount);
        Assert.DoesNotContain("TEMP B-TREE", oneAccount);
        Assert.Contains("SEARCH usage_samples USING INDEX usage_samples_by_time (time_ms>?)", allAccounts);
    }

    private static async Task<string> AddAccountAsync(HttpClient admin, string email)
    {
        var t = TestTokens.For(email);
        var response = await admin.PostAsJsonAsync("/admin/accounts", new { tokens = new { accessToken = t.AccessToken, refreshToken = t.RefreshToken, idToken = t.IdToken } });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
    }

    private static async Task<List<(string Account, double FiveHour)>> SamplesAsync(HttpClient admin, string query)
    {
        var body = (await admin.GetFromJsonAsync<JsonObject>("/admin/usage/history" + query))!;
        return [.. body["samples"]!.AsArray().Select(s => ((string)s!["accountId"]!, (double)s["fiveHourUsedPercent"]!))];
    }

    private static async Task<string> PlanAsync(SqliteConnection connection, string query, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }
        return string.Join('\n', plan);
    }
}
