using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>
/// Every /v1 answer tells where its time went in <c>Server-Timing</c> — MultiCodex's own time, the failover, the
/// upstream's time to first byte, the attempts — on streams, JSON answers and errors alike; the request log line and
/// the /metrics histograms carry the same figures.
/// </summary>
public sealed partial class ServerTimingTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task StreamAfterAFailover_CountsTwoAttempts_AndTheFiguresFitInTheTime()
    {
        var (first, _) = await _proxy.AddAccountAsync("spent@example.com", priority: 0);
        await _proxy.AddAccountAsync("fresh@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        var logged = RequestLogLineAsync();

        var clock = Stopwatch.StartNew();
        using var response = await _proxy.Client.SendAsync(Post("/v1/responses", new { model = "gpt-5.5", input = "hi", stream = true }),
            HttpCompletionOption.ResponseHeadersRead);
        var untilHeaders = clock.Elapsed;
        var timing = Parse(response);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("response.completed", body);
        Assert.Equal("2", timing.Descriptions["mcx-attempts"]);
        Assert.True(timing.Durations.ContainsKey("mcx-upstream-ttfb"), timing.Raw);
        var own = timing.Durations["mcx-proxy"] + timing.Durations["mcx-failover"] + timing.Durations["mcx-upstream-ttfb"];
        Assert.True(own <= timing.Durations["mcx-total"] + Rounding * 3, timing.Raw);
        Assert.True(timing.Durations["mcx-total"] <= untilHeaders.TotalMilliseconds + Rounding, $"{timing.Raw}; the client waited {untilHeaders.TotalMilliseconds} ms");
        var line = (await logged).Message;
        Assert.Contains("attempts=2 ", line);
        Assert.Matches(@"proxy_ms=\d+(\.\d)? failover_ms=\d+ ttfb_ms=\d+ duration_ms=\d+", line);
    }

    [Fact]
    public async Task ChatCompletion_NotStreamed_OneAttempt_NoFailoverFigure()
    {
        await _proxy.AddAccountAsync("chat@example.com");

        var response = await _proxy.Client.SendAsync(Post("/v1/chat/completions", new { model = "gpt-5.5", messages = new[] { new { role = "user", content = "hi" } } }));
        var timing = Parse(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", timing.Descriptions["mcx-attempts"]);
        Assert.False(timing.Durations.ContainsKey("mcx-failover"), timing.Raw);
        Assert.True(timing.Durations["mcx-proxy"] + timing.Durations["mcx-upstream-ttfb"] <= timing.Durations["mcx-total"] + Rounding * 2, timing.Raw);
    }

    [Fact]
    public async Task EveryAccountSpent_429_CarriesBothAttempts()
    {
        var (first, _) = await _proxy.AddAccountAsync("a@example.com", priority: 0);
        var (second, _) = await _proxy.AddAccountAsync("b@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        second.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));

        var response = await _proxy.Client.SendAsync(Post("/v1/chat/completions", new { model = "gpt-5.5", messages = new[] { new { role = "user", content = "hi" } } }));
        var timing = Parse(response);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("2", timing.Descriptions["mcx-attempts"]);
        Assert.True(timing.Durations.ContainsKey("mcx-upstream-ttfb"), timing.Raw);
        Assert.True(timing.Durations["mcx-proxy"] + timing.Durations["mcx-failover"] + timing.Durations["mcx-upstream-ttfb"]
            <= timing.Durations["mcx-total"] + Rounding * 3, timing.Raw);
    }

    public static TheoryData<string, string, string?, HttpStatusCode> Refusals => new()
    {
        // what, path, body (null: GET), expected status
        { "a body that is not JSON", "/v1/responses", "{not json", HttpStatusCode.BadRequest },
        { "an unknown route", "/v1/embeddings", "{}", HttpStatusCode.NotFound },
        { "no account to try", "/v1/responses", """{"model":"gpt-5.5","input":"hi"}""", HttpStatusCode.ServiceUnavailable },
        { "the model catalog with no account", "/v1/models", null, HttpStatusCode.ServiceUnavailable },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ErrorAnsweredBeforeAnyAttempt_HasTheProxyTimeOnly(string what, string path, string? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await _proxy.Client.SendAsync(request);
        var timing = Parse(response);

        Assert.True(expected == response.StatusCode, $"{what}: {response.StatusCode}");
        Assert.Equal("0", timing.Descriptions["mcx-attempts"]);
        Assert.False(timing.Durations.ContainsKey("mcx-upstream-ttfb"), timing.Raw);
        Assert.Equal(timing.Durations["mcx-total"], timing.Durations["mcx-proxy"]);
    }

    [Fact]
    public async Task RefusedKey_AndRefusedOrigin_CarryTheHeaderToo()
    {
        (await _proxy.Stack.Admin.PostAsJsonAsync("/admin/api-keys", new { name = "timing" })).EnsureSuccessStatusCode();
        await _proxy.Stack.Edge.SyncPoolAsync();
        using var crossSite = Post("/v1/responses", new { model = "gpt-5.5", input = "hi" });
        crossSite.Headers.Add("Origin", "http://evil.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");

        var noKey = await _proxy.Client.SendAsync(Post("/v1/responses", new { model = "gpt-5.5", input = "hi" }));
        var foreign = await _proxy.Client.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("0", Parse(noKey).Descriptions["mcx-attempts"]);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal("0", Parse(foreign).Descriptions["mcx-attempts"]);
    }

    [Fact]
    public async Task Metrics_HaveTheTimingHistograms()
    {
        var (first, _) = await _proxy.AddAccountAsync("m1@example.com", priority: 0);
        await _proxy.AddAccountAsync("m2@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        var logged = RequestLogLineAsync();
        // The Prometheus registry is the process's: other tests' requests count too, so what this one adds is compared.
        var before = await _proxy.Stack.Admin.GetStringAsync("/metrics");

        (await _proxy.Client.SendAsync(Post("/v1/responses", new { model = "gpt-5.5", input = "hi" }))).EnsureSuccessStatusCode();
        await logged; // recorded
        var after = await _proxy.Stack.Admin.GetStringAsync("/metrics");
        double Added(string series) => Sample(after, series) - Sample(before, series);

        Assert.Equal(1, Added("multicodex_edge_proxy_duration_seconds_count{endpoint=\"responses\"}"));
        Assert.Equal(1, Added("multicodex_edge_upstream_ttfb_seconds_count{endpoint=\"responses\"}"));
        Assert.Equal(0, Added("multicodex_edge_request_attempts_bucket{endpoint=\"responses\",le=\"1\"}"));
        Assert.Equal(1, Added("multicodex_edge_request_attempts_bucket{endpoint=\"responses\",le=\"2\"}"));
        Assert.Equal(2, Added("multicodex_edge_request_attempts_sum{endpoint=\"responses\"}"));
    }

    /// <summary>
    /// On a fake clock that moves only while the upstream holds back its events (2 s before each): that wait is
    /// upstream time, never MultiCodex's own, and it is in the total up to the commit.
    /// </summary>
    [Fact]
    public async Task UpstreamWaitBeforeTheFirstEvent_IsNotTheProxysTime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await FakeChatGpt.StartAsync(new FakeChatGptOptions { TimeProvider = clock });
        await using var stack = await Stack.StartAsync(Stack.UpstreamSettings(upstream), edgeTime: clock);
        var sim = upstream.AddAccount("slow@example.com");
        (await stack.Admin.PostAsJsonAsync("/admin/accounts", new { authJson = sim.AuthJson() })).EnsureSuccessStatusCode();
        await stack.Edge.SyncPoolAsync();
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromSeconds(2)));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var sending = stack.Edge.Http.SendAsync(Post("/v1/responses", new { model = "gpt-5.5", input = "hi", stream = true }),
            HttpCompletionOption.ResponseHeadersRead, wait.Token);
        // The Edge commits at the first event past the preamble: the clock moves only while an event is held back.
        while (!sending.IsCompleted)
        {
            await Task.WhenAny(sending, upstream.WaitForPausedStreamAsync(wait.Token));
            clock.Advance(TimeSpan.FromSeconds(2));
        }
        using var response = await sending;
        var timing = Parse(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, timing.Durations["mcx-proxy"]);
        Assert.True(timing.Durations["mcx-total"] >= 2000, timing.Raw);
        Assert.True(timing.Durations["mcx-upstream-ttfb"] <= timing.Durations["mcx-total"], timing.Raw);
    }

    /// <summary>Server-Timing durations are written to a tenth of a millisecond.</summary>
    private const double Rounding = 0.05;

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private Task<TestLogs.LogLine> RequestLogLineAsync()
    {
        var source = _proxy.Stack.Edge.LogSource;
        return TestLogs.WaitForAsync(l => l.Source == source && l.EventId == 2301, TimeSpan.FromSeconds(30));
    }

    // A series not exported yet counts 0.
    private static double Sample(string exposition, string series) =>
        exposition.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)
            : 0;

    private sealed record Timing(string Raw, Dictionary<string, double> Durations, Dictionary<string, string> Descriptions);

    private static Timing Parse(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Server-Timing", out var values), $"no Server-Timing on {(int)response.StatusCode}");
        var raw = string.Join(", ", values!);
        var durations = new Dictionary<string, double>(StringComparer.Ordinal);
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match metric in Metric().Matches(raw))
        {
            var name = metric.Groups["name"].Value;
            if (metric.Groups["dur"].Success)
            {
                durations[name] = double.Parse(metric.Groups["dur"].Value, CultureInfo.InvariantCulture);
            }
            if (metric.Groups["desc"].Success)
            {
                descriptions[name] = metric.Groups["desc"].Value;
            }
        }
        Assert.True(durations.ContainsKey("mcx-proxy") && durations.ContainsKey("mcx-total") && descriptions.ContainsKey("mcx-attempts"), raw);
        return new Timing(raw, durations, descriptions);
    }

    [GeneratedRegex(@"(?<name>[\w-]+)(;dur=(?<dur>[\d.]+))?(;desc=""(?<desc>[^""]*)"")?")]
    private static partial Regex Metric();
}
