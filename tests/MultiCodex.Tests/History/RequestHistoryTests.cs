using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;
using static MultiCodex.Tests.History.HistoryApi;
using MultiCodex.Tests.Keys;

namespace MultiCodex.Tests.History;

/// <summary>
/// The request history through real /v1 calls: one entry per client request with its failover chain; overview and
/// per-key figures that equal the requests actually made; the key holder's own <c>GET /v1/usage</c>; and a failing
/// database that never fails a request.
/// </summary>
public sealed class RequestHistoryTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private HttpClient Admin => _proxy.Stack.Admin;

    [Fact]
    public async Task Failover_IsOneRequestWithTwoAttempts()
    {
        var (alice, aliceId) = await _proxy.AddAccountAsync("failover-alice@example.com", priority: 0);
        var (_, erinId) = await _proxy.AddAccountAsync("failover-erin@example.com", priority: 1);
        alice.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        var response = await _proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "fail over, please" });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        await _proxy.Stack.Edge.FlushReportsAsync();
        var requests = await RequestsAsync(Admin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(requests)!;
        Assert.Equal(200, (int?)request["statusCode"]);
        Assert.True((bool?)request["answered"]);
        Assert.Equal(erinId, (string?)request["accountId"]);
        Assert.Equal("failover-erin@example.com", (string?)request["accountEmail"]);
        Assert.Equal("responses", (string?)request["endpoint"]);
        Assert.Equal("http", (string?)request["transport"]);
        Assert.Equal((long?)body["usage"]!["input_tokens"], Long(request["inputTokens"]));
        Assert.Equal((long?)body["usage"]!["output_tokens"], Long(request["outputTokens"]));
        Assert.NotNull(request["timeToFirstByte"]);
        var attempts = request["attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        Assert.Equal((1, aliceId, "failover-alice@example.com", 429, "usage_limit_reached", true),
            ((int)attempts[0]!["attempt"]!, (string?)attempts[0]!["accountId"], (string?)attempts[0]!["accountEmail"],
                (int)attempts[0]!["statusCode"]!, (string?)attempts[0]!["errorCode"], (bool?)attempts[0]!["blockedAccount"] ?? false));
        Assert.Equal((2, erinId, 200), ((int)attempts[1]!["attempt"]!, (string?)attempts[1]!["accountId"], (int)attempts[1]!["statusCode"]!));
    }

    [Fact]
    public async Task OverviewAndKeyUsage_EqualTheRequestsMade()
    {
        var (sim, accountId) = await _proxy.AddAccountAsync("overview-ada@example.com");
        var laptop = (await KeyRequests.CreateKeyAsync(Admin, "overview-laptop")).Secret;
        var ci = (await KeyRequests.CreateKeyAsync(Admin, "overview-ci")).Secret;
        await _proxy.Stack.Edge.SyncPoolAsync();
        var made = new List<(string Key, JsonNode Usage)>();
        // The same prompt_cache_key three times: the second and third turns hit the upstream's prompt cache.
        for (var i = 0; i < 3; i++)
        {
            made.Add(("overview-laptop", await ResponseUsageAsync(laptop, new { model = "gpt-5.5", input = $"turn {i}", prompt_cache_key = "thread-1" })));
        }
        made.Add(("overview-ci", await ResponseUsageAsync(ci, new { model = "gpt-5.5", input = "a build question" })));
        sim.EnqueueBehavior(ResponseBehavior.BadRequest("invalid_value"));
        using (var refused = Request(ci, new { model = "gpt-5.5", input = "refused upstream" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await _proxy.Client.SendAsync(refused)).StatusCode);
        }
        await _proxy.Stack.Edge.FlushReportsAsync();

        var overview = await OverviewAsync(Admin);
        var usage = await _proxy.Client.SendAsync(Get("/v1/usage", laptop));
        var usageBody = JsonNode.Parse(await usage.Content.ReadAsStringAsync())!;
        var withoutKey = await _proxy.Client.GetAsync("/v1/usage");
        var wrongKey = await _proxy.Client.SendAsync(Get("/v1/usage", "mcx_not-a-key"));
        var metrics = await ControlMetricsAsync();

        long Sum(string key, Func<JsonNode, long> of) => made.Where(m => m.Key == key).Sum(m => of(m.Usage));
        static long Input(JsonNode u) => (long)u["input_tokens"]!;
        static long Cached(JsonNode u) => (long)u["input_tokens_details"]!["cached_tokens"]!;
        static long Output(JsonNode u) => (long)u["output_tokens"]!;
        Assert.Equal(5, Long(overview["total"]!["requests"]));
        Assert.Equal(1, Long(overview["total"]!["errors"]));
        // Keys are grouped by id (a new key with a revoked one's name starts afresh), shown by name.
        Assert.All(overview["clientKeys"]!.AsArray(), k => Assert.StartsWith("key_", (string)k!["id"]!));
        var keys = overview["clientKeys"]!.AsArray().ToDictionary(k => (string)k!["displayName"]!, k => k!["figures"]!);
        Assert.Equal((3L, 0L), (Long(keys["overview-laptop"]["requests"]), Long(keys["overview-laptop"]["errors"])));
        Assert.Equal(Sum("overview-laptop", Input), Long(keys["overview-laptop"]["inputTokens"]));
        Assert.Equal(Sum("overview-laptop", Cached), Long(keys["overview-laptop"]["cachedInputTokens"]));
        Assert.True(Sum("overview-laptop", Cached) > 0, "the repeated prompt_cache_key should have hit the cache");
        Assert.Equal(Sum("overview-laptop", Output), Long(keys["overview-laptop"]["outputTokens"]));
        Assert.Equal((double)Sum("overview-laptop", Cached) / Sum("overview-laptop", Input), (double)keys["overview-laptop"]["cacheHitRate"]!, 6);
        Assert.Equal((2L, 1L), (Long(keys["overview-ci"]["requests"]), Long(keys["overview-ci"]["errors"])));
        var account = Assert.Single(overview["accounts"]!.AsArray())!;
        Assert.Equal((accountId, "overview-ada@example.com", 5L), ((string?)account["id"], (string?)account["displayName"], Long(account["figures"]!["requests"])));
        Assert.Equal("gpt-5.5", (string?)Assert.Single(overview["models"]!.AsArray())!["id"]);

        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal("overview-laptop", (string?)usageBody["key"]!["name"]);
        foreach (var period in new[] { "24h", "7d", "28d" })
        {
            var figures = usageBody["usage"]![period]!;
            Assert.Equal(3, (long)figures["requests"]!);
            Assert.Equal(0, (long)figures["errors"]!);
            Assert.Equal(Sum("overview-laptop", Input), (long)figures["input_tokens"]!);
            Assert.Equal(Sum("overview-laptop", Cached), (long)figures["cached_input_tokens"]!);
            Assert.Equal(Sum("overview-laptop", Output), (long)figures["output_tokens"]!);
        }
        Assert.NotNull(usageBody["last_used_at"]);
        Assert.True(usageBody.AsObject().ContainsKey("limits"));
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal("invalid_api_key", (string?)JsonNode.Parse(await withoutKey.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        // Prometheus gets the same counts, so it can compute the hit rate per account and per key; accounts by id, never by email.
        Assert.DoesNotContain("@example.com", metrics, StringComparison.Ordinal);
        Assert.Contains(
            $"multicodex_control_tokens_total{{account=\"{accountId}\",key=\"overview-laptop\",type=\"cached_input\"}} {Sum("overview-laptop", Cached)}",
            metrics);
        Assert.Contains(
            $"multicodex_control_tokens_total{{account=\"{accountId}\",key=\"overview-laptop\",type=\"input\"}} {Sum("overview-laptop", Input)}",
            metrics);
    }

    [Fact]
    public async Task FailingDatabaseWrites_NeverFailARequest_AreCounted_AndRetried()
    {
        await _proxy.AddAccountAsync("disk-ada@example.com");
        var database = _proxy.Stack.Data.File("history.db");
        // A real SQLite failure on every write of a request or an attempt, made from outside as a broken disk would.
        Execute(database, """
            CREATE TRIGGER fail_attempts BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;
            CREATE TRIGGER fail_requests BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;
            """);
        var dropped = DroppedWrites(await ControlMetricsAsync());

        // The first request's attempt is given up on after the retries (counted); the client never notices.
        var first = await _proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "first, while the disk fails" });
        await _proxy.Stack.Edge.FlushReportsAsync();
        await WaitForAsync(async () => DroppedWrites(await ControlMetricsAsync()) > dropped, "the failed history write to be given up and counted");
        // The second request's write fails too, then succeeds on a retry once the disk works again.
        var second = await _proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "second, then the disk heals" });
        await _proxy.Stack.Edge.FlushReportsAsync();
        Execute(database, "DROP TRIGGER fail_attempts; DROP TRIGGER fail_requests;");
        JsonNode? stored = null;
        await WaitForAsync(async () => (stored = (await RequestsAsync(Admin)).FirstOrDefault(r =>
            (bool?)r!["answered"] == true && r["attempts"]!.AsArray().Count == 1)) is not null, "the retried write");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(200, (int?)stored!["statusCode"]);
        Assert.Contains("multicodex_control_history_write_failures_total", await ControlMetricsAsync());
    }


    private async Task<JsonNode> ResponseUsageAsync(string key, object body)
    {
        using var request = Request(key, body);
        var response = await _proxy.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["usage"]!;
    }

    private static HttpRequestMessage Request(string key, object body) => new(HttpMethod.Post, "/v1/responses")
    {
        Content = JsonContent.Create(body),
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

    private static HttpRequestMessage Get(string path, string key) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };

    private async Task<string> ControlMetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = _proxy.Stack.Control.Url };
        http.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken); // metrics name accounts and keys
        return await http.GetStringAsync("/metrics");
    }

    private static double DroppedWrites(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("multicodex_control_history_dropped_total{reason=\"write_failed\"}", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    private static void Execute(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
