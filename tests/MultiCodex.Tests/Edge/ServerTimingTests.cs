using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>
/// Every /v1 answer tells where its time went in <c>Server-Timing</c> — MultiCodex's own time, the failover, the
/// upstream's time to first byte, the attempts — on streams, JSON answers and errors alike; the request log line
/// carries the same figures (the /metrics histograms: <see cref="Operations.OpenTelemetryTests"/>, on an Edge process
/// of its own, whose registry no other test adds to).
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

    /// <summary>
    /// The upstream answers its headers at once and then holds back every event: that wait is neither MultiCodex's own
    /// time nor the upstream's time to first byte (its headers), only part of the total up to the commit.
    /// </summary>
    [Fact]
    public async Task UpstreamWaitBeforeTheFirstEvent_IsInTheTotalOnly()
    {
        var (sim, _) = await _proxy.AddAccountAsync("slow@example.com");
        var pause = TimeSpan.FromMilliseconds(300);
        sim.EnqueueBehavior(ResponseBehavior.Slow(pause));

        using var response = await _proxy.Client.SendAsync(Post("/v1/responses", new { model = "gpt-5.5", input = "hi", stream = true }),
            HttpCompletionOption.ResponseHeadersRead);
        var timing = Parse(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var waitedForTheFirstEvent = timing.Durations["mcx-total"] - timing.Durations["mcx-proxy"] - timing.Durations["mcx-upstream-ttfb"];
        Assert.True(waitedForTheFirstEvent >= pause.TotalMilliseconds - Rounding * 3, timing.Raw);
    }

    /// <summary>Server-Timing durations are written to a tenth of a millisecond.</summary>
    private const double Rounding = 0.05;

    private static HttpRequestMessage Post(string path, object body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private Task<TestLogs.LogLine> RequestLogLineAsync()
    {
        var source = _proxy.Stack.Edge.LogSource;
        return TestLogs.WaitForAsync(l => l.Source == source && l.EventId == 2301, TimeSpan.FromSeconds(30));
    }

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
