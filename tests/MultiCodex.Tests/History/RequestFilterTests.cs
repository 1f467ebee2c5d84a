using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;
using MultiCodex.Tests.Leases;
using static MultiCodex.Tests.History.HistoryApi;

namespace MultiCodex.Tests.History;

/// <summary>The request list's filters and its paging (AIP-158), over reports delivered as an Edge delivers them.</summary>
public sealed class RequestFilterTests : IAsyncLifetime
{
    private Stack _stack = null!;
    private string _a = "";
    private string _b = "";

    public async Task InitializeAsync()
    {
        _stack = await Stack.StartAsync();
        _a = (string)(await _stack.AddAccountAsync(TestTokens.For("filter-a@example.com")))["id"]!;
        _b = (string)(await _stack.AddAccountAsync(TestTokens.For("filter-b@example.com")))["id"]!;
        var edge = new PoolClient(_stack.Control.Channel);
        // Seven requests, one a second, the newest last: r6 failed over from a to b.
        var requests = new (string Id, string Key, string Model, string Transport, (string Account, int Status)[] Attempts, int Status)[]
        {
            ("r0", "laptop", "gpt-5.5", "http", [(_a, 200)], 200),
            ("r1", "laptop", "gpt-5.4", "websocket", [(_a, 200)], 200),
            ("r2", "ci", "gpt-5.5", "http", [(_b, 500)], 502),
            ("r3", "ci", "gpt-5.5", "http", [], 429),
            ("r4", "laptop", "gpt-5.5", "http", [(_b, 400)], 400),
            ("r5", "ci", "gpt-5.4", "http", [(_a, 200)], 200),
            ("r6", "laptop", "gpt-5.5", "http", [(_a, 429), (_b, 200)], 200),
        };
        var reports = new List<PoolReport>();
        foreach (var (request, i) in requests.Select((r, i) => (r, i)))
        {
            var age = TimeSpan.FromSeconds(60 - i);
            foreach (var (attempt, n) in request.Attempts.Select((a, n) => (a, n)))
            {
                var report = PoolClient.Attempt(attempt.Account, attempt.Status, attempt.Status == 429 ? "usage_limit_reached" : null, clientName: request.Key);
                report.RequestId = request.Id;
                report.Attempt = n + 1;
                report.Model = request.Model;
                report.Transport = request.Transport;
                reports.Add(PoolClient.Of(report, age));
            }
            reports.Add(new PoolReport
            {
                Age = Duration.FromTimeSpan(age),
                Answer = new AnswerReport
                {
                    RequestId = request.Id, Endpoint = "responses", Transport = request.Transport, Model = request.Model, ClientName = request.Key,
                    StatusCode = request.Status, ErrorCode = request.Status == 429 ? "usage_limit_reached" : "", Attempts = request.Attempts.Length,
                    Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)),
                },
            });
        }
        await edge.SendAsync([.. reports]);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData("", "r6 r5 r4 r3 r2 r1 r0")]
    [InlineData("?clientName=laptop", "r6 r4 r1 r0")]
    [InlineData("?model=gpt-5.4", "r5 r1")]
    [InlineData("?transport=websocket", "r1")]
    [InlineData("?status=429", "r3")]
    [InlineData("?status=4xx", "r4 r3")]
    [InlineData("?status=5xx", "r2")]
    [InlineData("?status=error", "r4 r3 r2")]
    [InlineData("?status=200&clientName=ci", "r5")]
    [InlineData("?accountId={b}", "r6 r4 r2")]
    public async Task Filters_SelectTheMatchingRequests_NewestFirst(string query, string expected)
    {
        var requests = await RequestsAsync(_stack.Admin, query.Replace("{b}", _b));

        Assert.Equal(expected, string.Join(' ', requests.Select(r => (string?)r!["requestId"])));
    }

    [Fact]
    public async Task TimeRange_SelectsRequestsThatArrivedWithinIt()
    {
        var all = await RequestsAsync(_stack.Admin);
        var start = (string)all.Single(r => (string?)r!["requestId"] == "r2")!["time"]!;
        var end = (string)all.Single(r => (string?)r!["requestId"] == "r5")!["time"]!;

        var requests = await RequestsAsync(_stack.Admin, $"?startTime={Uri.EscapeDataString(start)}&endTime={Uri.EscapeDataString(end)}");

        Assert.Equal("r4 r3 r2", string.Join(' ', requests.Select(r => (string?)r!["requestId"])));
    }

    [Fact]
    public async Task Paging_WalksEveryRequestOnce_InOrder()
    {
        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await PageAsync(_stack.Admin, $"?pageSize=3&clientName=laptop{(token.Length > 0 ? "&pageToken=" + token : "")}");
            seen.AddRange(page["requests"]!.AsArray().Select(r => (string)r!["requestId"]!));
            token = (string?)page["nextPageToken"] ?? "";
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(["r6", "r4", "r1", "r0"], seen);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task AFailover_IsOneEntry_WithWhatTheClientGot_AndBothAttempts()
    {
        var request = (await RequestsAsync(_stack.Admin)).Single(r => (string?)r!["requestId"] == "r6")!;

        Assert.Equal((200, _b, "filter-b@example.com"), ((int)request["statusCode"]!, (string?)request["accountId"], (string?)request["accountEmail"]));
        Assert.Equal([429, 200], request["attempts"]!.AsArray().Select(a => (int)a!["statusCode"]!));
        Assert.True((bool?)request["attempts"]![0]!["blockedAccount"]);
    }

    [Theory]
    [InlineData("?status=4x9")]
    [InlineData("?pageSize=501")]
    [InlineData("?pageToken=not-a-token")]
    public async Task BadInput_Is400_WithAMessage(string query)
    {
        var response = await _stack.Admin.GetAsync("/admin/requests" + query);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["message"]));
    }

    [Fact]
    public async Task APageToken_WithOtherFilters_Is400()
    {
        var token = (string)(await PageAsync(_stack.Admin, "?pageSize=2"))["nextPageToken"]!;

        var response = await _stack.Admin.GetAsync($"/admin/requests?pageSize=2&clientName=ci&pageToken={token}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("filters", await response.Content.ReadAsStringAsync());
    }
}
