using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, Control and the Edge (each its own process, as deployed) send their
/// spans and metrics to an OTLP receiver: one trace per /v1 request across both, with the lease, each upstream
/// attempt and the stream, Control's work on each attempt's outcome and its token refresh as children of the attempt,
/// and never a token, key or email in it. The upstream never sees trace context. The timing histograms arrive over
/// OTLP and agree with the Edge's Prometheus /metrics.
/// </summary>
public sealed class OpenTelemetryTests
{
    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";
    private const int ServerKind = 2;

    [Fact]
    public async Task FailoverAndRefresh_ArriveAsOneTracePerRequest_AcrossEdgeAndControl_WithoutSecrets()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        var telemetry = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-collector-tenant=multicodex-tests",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        };
        await using var control = await AppProcess.StartControlAsync(upstream, data.Path, more: telemetry);
        using var admin = new HttpClient(NoTraceContext()) { BaseAddress = control.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var alice = upstream.AddAccount("alice@example.com");
        var bob = upstream.AddAccount("bob@example.com");
        var aliceId = await AppProcess.AddAccountAsync(admin, alice, priority: 0);
        var bobId = await AppProcess.AddAccountAsync(admin, bob, priority: 1);
        var key = (string)(await Json(admin.PostAsJsonAsync("/admin/api-keys", new { name = "otel" })))["secret"]!;
        // Started after the accounts and the key exist: its first view of the pool (awaited by the first request) has them.
        await using var edge = await AppProcess.StartAsync("MultiCodex.Edge", With(telemetry, new()
        {
            ["PORT"] = "0",
            ["CONTROL_URL"] = control.Url.ToString(),
            ["DASHBOARD_URL"] = "http://127.0.0.1:9",
            ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl,
            ["ADMIN_TOKEN"] = Stack.AdminToken,
        }));
        using var client = new HttpClient(NoTraceContext()) { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        // 1. A failover: alice's quota is spent, bob answers. The client's own trace context is continued.
        alice.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        using var failover = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = JsonContent.Create(new { model = "gpt-5.5", input = "a secret prompt", stream = true }) };
        failover.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");
        using var first = await client.SendAsync(failover);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("mcx-attempts;desc=\"2\"", string.Join(", ", first.Headers.GetValues("Server-Timing")));
        // 2. A token refresh: bob's access token is refused once; the Edge asks Control for a new one and retries.
        bob.EnqueueBehavior(ResponseBehavior.TokenExpired());
        var second = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-5.5", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        await receiver.WaitForAsync(r => r.Spans.Count(s => s.Name == "pool.apply_attempt") >= 4 && r.Spans.Count(s => s.Name.StartsWith("v1 ", StringComparison.Ordinal)) >= 2
            && r.Spans.Any(s => s.Service == "multicodex-control" && s.Kind == ServerKind), "both requests' spans from the Edge and Control", TimeSpan.FromSeconds(30));
        var spans = receiver.Spans;

        // The failover's trace: the client's span → the Edge's server span → the request → lease, two attempts → stream; Control under each attempt.
        var trace = spans.Where(s => s.TraceId == ClientTraceId).ToList();
        var server = Assert.Single(trace, s => s.ParentSpanId == ClientSpanId);
        Assert.Equal(("multicodex-edge", ServerKind), (server.Service, server.Kind));
        var request = Assert.Single(trace, s => s.Name == "v1 responses");
        Assert.Equal(server.SpanId, request.ParentSpanId);
        Assert.Equal("2", request.Attributes["multicodex.attempts"]);
        Assert.Equal("200", request.Attributes["http.response.status_code"]);
        Assert.Equal("otel", request.Attributes["multicodex.key_name"]);
        Assert.Contains(trace, s => s.Name == "lease" && s.ParentSpanId == request.SpanId && s.Attributes.GetValueOrDefault("multicodex.account.id") == aliceId);
        Assert.Contains(trace, s => s.Name == "lease" && s.ParentSpanId == request.SpanId && s.Attributes.GetValueOrDefault("multicodex.account.id") == bobId);
        var attempts = trace.Where(s => s.Name == "upstream attempt").OrderBy(s => s.Attributes["multicodex.attempt"]).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(request.SpanId, a.ParentSpanId));
        Assert.Equal((aliceId, "429", "usage_limit_reached"), (attempts[0].Attributes["multicodex.account.id"], attempts[0].Attributes["http.response.status_code"], attempts[0].Attributes["error.type"]));
        Assert.Equal((bobId, "200"), (attempts[1].Attributes["multicodex.account.id"], attempts[1].Attributes["http.response.status_code"]));
        Assert.Equal(attempts[1].SpanId, Assert.Single(trace, s => s.Name == "stream").ParentSpanId);
        var applied = trace.Where(s => s.Name == "pool.apply_attempt").ToList();
        Assert.All(applied, a => Assert.Equal("multicodex-control", a.Service));
        Assert.Equal(attempts.Select(a => a.SpanId).Order(), applied.Select(a => a.ParentSpanId).Order());
        Assert.Equal("true", Assert.Single(applied, a => a.Attributes["multicodex.account.id"] == aliceId).Attributes["multicodex.account.blocked"]);

        // The refresh's trace: Control's RefreshAccessToken (gRPC, its trace context native) under the refused attempt.
        var chat = Assert.Single(spans, s => s.Name == "v1 chat");
        Assert.NotEqual(ClientTraceId, chat.TraceId);
        var retried = spans.Where(s => s.TraceId == chat.TraceId && s.Name == "upstream attempt").OrderBy(s => s.Attributes["multicodex.attempt"]).ToList();
        Assert.Equal(new[] { "401", "200" }, retried.Select(a => a.Attributes["http.response.status_code"]));
        var refresh = Assert.Single(spans, s => s.Service == "multicodex-control" && s.Kind == ServerKind);
        Assert.Equal((chat.TraceId, retried[0].SpanId), (refresh.TraceId, refresh.ParentSpanId));
        Assert.Contains("RefreshAccessToken", refresh.Name);
        // Background traffic (report batches, the pool watch, the admin calls) starts no trace at Control.
        Assert.All(spans.Where(s => s.Service == "multicodex-control"), s => Assert.Contains(s.TraceId, new[] { ClientTraceId, chat.TraceId }));

        // Never a token, key, prompt or email; the upstream (and the issuer) never got trace context.
        var secrets = new SecretScan();
        secrets.Add("the admin token", Stack.AdminToken);
        secrets.Add("the client key", key);
        secrets.AddStoredTokens(data.Path);
        secrets.Add("the prompt", "a secret prompt");
        var leaks = spans.SelectMany(s => secrets.FindIn(s.AllText, s.ToString())).ToList();
        Assert.True(leaks.Count == 0, "secrets in spans:\n" + string.Join("\n", leaks));
        Assert.DoesNotContain(spans, s => s.AllText.Contains("@example.com", StringComparison.Ordinal));
        Assert.Contains(upstream.Requests.All(), r => r.Path.EndsWith("/oauth/token", StringComparison.Ordinal));
        Assert.DoesNotContain(upstream.Requests.All(), r => r.Headers.Keys.Any(h => h is "traceparent" or "tracestate" or "baggage" or "request-id"));
        Assert.Contains("x-collector-tenant: multicodex-tests", receiver.Headers);

        // Metrics: the Server-Timing figures as histograms from the Edge, the pool's gauges from Control.
        await receiver.WaitForAsync(r => r.Metrics.Any(m => m.Name == "multicodex.edge.request.attempts" && m.HistogramCount >= 2)
            && r.Metrics.Any(m => m.Name == "multicodex.control.accounts"), "the timing histograms and the pool gauges", TimeSpan.FromSeconds(30));
        var metrics = receiver.Metrics;
        foreach (var name in new[] { "multicodex.edge.proxy.duration", "multicodex.edge.upstream.time_to_first_byte", "multicodex.edge.request.attempts", "multicodex.edge.request.duration" })
        {
            Assert.Contains(metrics, m => m.Name == name && m.Service == "multicodex-edge" && m.Kind == "histogram" && m.HistogramCount >= 2);
        }
        Assert.Contains(metrics, m => m.Name == "multicodex.control.accounts" && m.Service == "multicodex-control" && m.Kind == "gauge");

        // The same figures on the Edge's Prometheus /metrics (this process served only these two requests).
        using var scraper = new HttpClient(NoTraceContext()) { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        scraper.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var exposition = await scraper.GetStringAsync("/metrics");
        Assert.Equal(2, Sample(exposition, "multicodex_edge_request_attempts_sum{endpoint=\"responses\"}"));
        Assert.Equal(0, Sample(exposition, "multicodex_edge_request_attempts_bucket{endpoint=\"responses\",le=\"1\"}"));
        Assert.Equal(1, Sample(exposition, "multicodex_edge_request_attempts_bucket{endpoint=\"responses\",le=\"2\"}"));
        Assert.Equal(2, Sample(exposition, "multicodex_edge_request_attempts_sum{endpoint=\"chat\"}"));
        foreach (var endpoint in new[] { "responses", "chat" })
        {
            Assert.Equal(1, Sample(exposition, $"multicodex_edge_proxy_duration_seconds_count{{endpoint=\"{endpoint}\"}}"));
            Assert.Equal(1, Sample(exposition, $"multicodex_edge_upstream_ttfb_seconds_count{{endpoint=\"{endpoint}\"}}"));
        }
    }

    [Fact]
    public async Task OverGrpc_SpansAndMetricsArrive_UnderOtelServiceName_AndTheConfiguredSamplerDecides()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var data = new TempDirectory();
        // traceidratio 1 samples by the trace id alone: the unsampled parent below would be dropped by the default
        // (parentbased_always_on), so the span arriving shows the sampler variables were read.
        await using var control = await StartControlAsync(receiver, data.Path, new()
        {
            ["OTEL_SERVICE_NAME"] = "pool-control-ci",
            ["OTEL_TRACES_SAMPLER"] = "traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "1",
        });

        using var traced = await TracedAdminCallAsync(control, sampledParent: false);

        await receiver.WaitForAsync(r => r.Spans.Any(s => s.TraceId == ClientTraceId) && r.Metrics.Any(m => m.Name == "multicodex.control.accounts"),
            "Control's span and gauges over gRPC", TimeSpan.FromSeconds(30));
        var span = Assert.Single(receiver.Spans, s => s.TraceId == ClientTraceId);
        Assert.Equal(("pool-control-ci", ServerKind, ClientSpanId), (span.Service, span.Kind, span.ParentSpanId));
        Assert.All(receiver.Metrics, m => Assert.Equal("pool-control-ci", m.Service));
        Assert.All(receiver.Protocols, p => Assert.Equal("grpc", p));
    }

    [Fact]
    public async Task SamplerRatioZero_SendsNoSpans_WhileMetricsStillArrive_UnderResourceAttributesServiceName()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var data = new TempDirectory();
        var control = await StartControlAsync(receiver, data.Path, new()
        {
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=pool-control-unsampled,deployment.environment=ci",
            ["OTEL_TRACES_SAMPLER"] = "traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0",
        });
        await using (control)
        {
            using var traced = await TracedAdminCallAsync(control, sampledParent: true);
            await receiver.WaitForAsync(r => r.Metrics.Any(m => m.Name == "multicodex.control.accounts"), "Control's gauges over gRPC", TimeSpan.FromSeconds(30));
            // A graceful stop flushes every span still batched: after it, whatever was sampled has arrived.
            control.Terminate();
            Assert.Equal(0, await control.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(receiver.Spans);
        Assert.All(receiver.Metrics, m => Assert.Equal("pool-control-unsampled", m.Service));
        Assert.All(receiver.Protocols, p => Assert.Equal("grpc", p));
    }

    private static Task<AppProcess> StartControlAsync(OtlpReceiver receiver, string dataDir, Dictionary<string, string> telemetry) =>
        AppProcess.StartControlAsync(dataDir, Stack.AdminToken, With(telemetry, new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        }));

    // Control traces only calls that carry trace context (an Edge's); an admin call with a traceparent is one.
    private static async Task<HttpResponseMessage> TracedAdminCallAsync(AppProcess control, bool sampledParent)
    {
        using var admin = new HttpClient(NoTraceContext()) { BaseAddress = control.Url, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/accounts");
        request.Headers.Add("x-admin-token", Stack.AdminToken);
        request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-{(sampledParent ? "01" : "00")}");
        var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static double Sample(string exposition, string series) =>
        exposition.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Single();

    // The test's own calls carry no trace context of the test process: only what a test sets on purpose.
    private static SocketsHttpHandler NoTraceContext() => new() { ActivityHeadersPropagator = null };

    private static Dictionary<string, string> With(Dictionary<string, string> telemetry, Dictionary<string, string> settings)
    {
        foreach (var (name, value) in telemetry)
        {
            settings[name] = value;
        }
        return settings;
    }

    private static async Task<JsonNode> Json(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }
}
