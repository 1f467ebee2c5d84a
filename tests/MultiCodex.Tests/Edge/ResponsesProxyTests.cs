using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>/v1/responses through the Edge against the fake backend, over raw HTTP: streaming, aggregation, rotation, faults.</summary>
public sealed class ResponsesProxyTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task StreamingRequest_PassesTheUpstreamEventsThrough()
    {
        await _proxy.AddAccountAsync("stream@example.com");

        var (status, events) = await StreamAsync(new { model = "gpt-5.5", input = "Say hi", stream = true });

        Assert.Equal(200, status);
        Assert.Contains("multicodex_edge_requests_total{endpoint=\"responses\",status=\"200\"}", await _proxy.Stack.Admin.GetStringAsync("/metrics"));
        Assert.Equal("response.created", events[0].Type);
        Assert.Equal("response.completed", events[^1].Type);
        Assert.Contains("Hello from stream@example.com: Say hi", string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
    }

    [Fact]
    public async Task NonStreamingRequest_GetsOneResponseObjectWithTheOutput()
    {
        await _proxy.AddAccountAsync("agg@example.com");

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = new[] { new { role = "system", content = "be brief" }, new { role = "user", content = "Ping" } } }));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", (string?)body["status"]);
        Assert.Equal("Hello from agg@example.com: Ping", (string?)body["output_text"]);
        Assert.True((long?)body["usage"]!["input_tokens"] > 0);
        // The system role reached the upstream as developer, with stream on and store off.
        var sent = JsonNode.Parse(_proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Last().BodyText!)!;
        Assert.Equal("developer", (string?)sent["input"]![0]!["role"]);
        Assert.Equal(true, (bool?)sent["stream"]);
        Assert.Equal(false, (bool?)sent["store"]);
    }

    public static TheoryData<string> QuotaForms => new() { "429", "404", "first-event" };

    [Theory]
    [MemberData(nameof(QuotaForms))]
    public async Task QuotaErrorOnTheFirstAccount_IsInvisible_AndBlocksIt(string form)
    {
        var (first, firstId) = await _proxy.AddAccountAsync("first@example.com", priority: 0);
        await _proxy.AddAccountAsync("second@example.com", priority: 1);
        first.EnqueueBehavior(form switch
        {
            "429" => ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(2)),
            "404" => ResponseBehavior.UsageLimitReachedAs404(TimeSpan.FromHours(2)),
            _ => ResponseBehavior.UsageLimitReachedInStream(TimeSpan.FromHours(2)),
        });

        var (status, events) = await StreamAsync(new { model = "gpt-5.5", input = "hello", stream = true });
        // The Edge blocked it at once; Control hears of it within a moment.
        await _proxy.Stack.Edge.FlushReportsAsync();
        var account = await _proxy.AccountAsync(firstId);

        Assert.Equal(200, status);
        Assert.DoesNotContain(events, e => e.Type is "response.failed" or "error");
        Assert.Contains("second@example.com", string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.Equal("STATE_BLOCKED", (string?)account["state"]);
    }

    /// <summary>Every fault the fake can script, and what the client sees when a second account is there.</summary>
    public static TheoryData<string, string> ScriptedFaults => new()
    {
        { "usage_not_included", "second" },
        { "rate_limit_exceeded", "second" },
        { "token_invalidated", "first" },
        { "token_expired", "first" },
        { "server_error", "first" },
        { "overloaded", "first" },
        { "overloaded_in_stream", "first" },
        { "slow", "first" },
    };

    [Theory]
    [MemberData(nameof(ScriptedFaults))]
    public async Task ScriptedFault_OnTheFirstAccount_StillAnswers200(string fault, string expectedServer)
    {
        var (first, _) = await _proxy.AddAccountAsync("first@example.com", priority: 0);
        await _proxy.AddAccountAsync("second@example.com", priority: 1);
        first.EnqueueBehavior(fault switch
        {
            "usage_not_included" => ResponseBehavior.UsageNotIncluded(),
            "rate_limit_exceeded" => ResponseBehavior.RateLimitExceeded(),
            "token_invalidated" => ResponseBehavior.TokenInvalidated(),
            "token_expired" => ResponseBehavior.TokenExpired(),
            "server_error" => ResponseBehavior.ServerError(),
            "overloaded" => ResponseBehavior.Overloaded(),
            "overloaded_in_stream" => ResponseBehavior.StreamFailed("server_is_overloaded", "Selected model is at capacity."),
            _ => ResponseBehavior.Slow(TimeSpan.FromMilliseconds(20)),
        });

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "fault" }));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains($"Hello from {expectedServer}@example.com", body);
    }

    [Fact]
    public async Task EveryAccountExhausted_Answers429WithRetryAfter()
    {
        var (only, _) = await _proxy.AddAccountAsync("only@example.com");
        only.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "x" }));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1700, 1801);
        Assert.Equal("usage_limit_reached", (string?)error["code"]);
        Assert.NotNull((string?)error["message"]);
    }

    [Fact]
    public async Task ExpiredToken_IsRefreshedAndTheRequestSucceeds()
    {
        var (sim, _) = await _proxy.AddAccountAsync("refresh@example.com");
        sim.ExpireAccessTokens();

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "after refresh" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, sim.RefreshGrantCount);
    }

    [Fact]
    public async Task ConcurrentUnauthorized_MakeOneRefreshInControl_AndEveryRequestRetriesOnTheSameAccount()
    {
        var (sim, _) = await _proxy.AddAccountAsync("burst@example.com", priority: 0);
        var (other, _) = await _proxy.AddAccountAsync("spare@example.com", priority: 1);
        sim.ExpireAccessTokens();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json(new { model = "gpt-5.5", input = $"after 401 #{i}" }) };
            request.Headers.Add("x-multicodex-explain", "1");
            using var response = await _proxy.Client.SendAsync(request);
            return (response.StatusCode, Account: response.Headers.GetValues("x-multicodex-account").Single());
        }));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "burst@example.com"), a));
        Assert.Equal(1, sim.RefreshGrantCount);
        Assert.Equal(0, other.ResponsesRequestCount);
    }

    [Fact]
    public async Task Overload_IsRetriedWithBackoff()
    {
        var (sim, _) = await _proxy.AddAccountAsync("busy@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Overloaded());

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "again" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sim.ResponsesRequestCount);
    }

    [Fact]
    public async Task PersistentOverload_EndsInA503InOpenAiShape()
    {
        var (sim, _) = await _proxy.AddAccountAsync("down@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Overloaded(), times: 10);

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "x" }));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("server_is_overloaded", (string?)error["code"]);
        Assert.Equal(3, sim.ResponsesRequestCount);
    }

    [Fact]
    public async Task StreamDroppingAfterOutput_EndsWithAFailureEvent_NotAHang()
    {
        var (sim, _) = await _proxy.AddAccountAsync("drop@example.com");
        sim.EnqueueBehavior(ResponseBehavior.DropMidStream(2));

        var (status, events) = await StreamAsync(new { model = "gpt-5.5", input = "one two three four five", stream = true });

        Assert.Equal(200, status);
        Assert.Contains(events, e => e.Type == "response.output_text.delta");
        Assert.Equal("response.failed", events[^1].Type);
    }

    [Fact]
    public async Task ClientDisconnecting_CancelsTheUpstreamRequest_AndIsReportedAs499()
    {
        var (sim, _) = await _proxy.AddAccountAsync("gone@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(300)));
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = Json(new { model = "gpt-5.5", stream = true, input = "a long answer that keeps streaming for a while" }),
        })
        using (var response = await _proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && line != "event: response.output_text.delta")
            {
            }
        } // the client goes away mid-stream

        JsonNode? entry = null;
        for (var i = 0; i < 100 && entry is null; i++)
        {
            var log = JsonNode.Parse(await _proxy.Stack.Admin.GetStringAsync("/admin/requests"))!["requests"]!.AsArray();
            entry = log.FirstOrDefault(r => (int?)r!["statusCode"] == 499);
            if (entry is null)
            {
                await Task.Delay(50); // the outcome report travels after the Edge notices the disconnect
            }
        }

        Assert.NotNull(entry);
        Assert.Equal(0, sim.CompletedResponseCount);
    }

    [Fact]
    public async Task BadRequest_IsAnsweredInOpenAiShape_AndBlocksNothing()
    {
        var (_, id) = await _proxy.AddAccountAsync("bad@example.com");

        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "no-such-model", input = "x" }));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        await _proxy.Stack.Edge.FlushReportsAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not supported", (string?)error["message"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("STATE_ACTIVE", (string?)(await _proxy.AccountAsync(id))["state"]);
    }

    [Theory]
    [InlineData("{\"model\": \"gpt-5.5\", ", "not valid JSON")]
    [InlineData("[1]", "JSON object")]
    [InlineData("{\"input\": \"x\"}", "'model' is required")]
    public async Task MalformedRequest_Is400InOpenAiShape(string body, string fragment)
    {
        var response = await _proxy.Client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(fragment, (string?)JsonNode.Parse(text)!["error"]!["message"]);
    }

    [Fact]
    public async Task OversizedBody_Is413InOpenAiShape()
    {
        await using var proxy = await ProxyFixture.StartAsync(new() { ["MAX_REQUEST_BODY_BYTES"] = "2048" });

        var response = await proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = new string('a', 5000) }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Fact]
    public async Task ZstdCompressedRequest_IsAccepted()
    {
        await _proxy.AddAccountAsync("zstd@example.com");
        var json = Encoding.UTF8.GetBytes("{\"model\":\"gpt-5.5\",\"input\":\"compressed\"}");
        using var compressor = new ZstdSharp.Compressor();
        var content = new ByteArrayContent(compressor.Wrap(json).ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("zstd");

        var response = await _proxy.Client.PostAsync("/v1/responses", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("compressed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExplainHeader_NamesTheAccountByEmailAndWhy()
    {
        await _proxy.AddAccountAsync("explain@example.com");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json(new { model = "gpt-5.5", input = "x" }) };
        request.Headers.Add("x-multicodex-explain", "1");

        var response = await _proxy.Client.SendAsync(request);

        Assert.Equal("explain@example.com", response.Headers.GetValues("x-multicodex-account").Single());
        Assert.Contains("eligible", response.Headers.GetValues("x-multicodex-reason").Single());
        Assert.Equal("explain@example.com 200", response.Headers.GetValues("x-multicodex-attempts").Single());
    }

    [Fact]
    public async Task ExplainHeader_ListsTheFailoverChain()
    {
        var (first, _) = await _proxy.AddAccountAsync("alice@example.com", priority: 0);
        await _proxy.AddAccountAsync("erin@example.com", priority: 1);
        first.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json(new { model = "gpt-5.5", input = "x" }) };
        request.Headers.Add("x-multicodex-explain", "1");

        var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("erin@example.com", response.Headers.GetValues("x-multicodex-account").Single());
        Assert.Equal("alice@example.com 429 usage_limit_reached -> erin@example.com 200", response.Headers.GetValues("x-multicodex-attempts").Single());
    }

    [Fact]
    public async Task NoAccounts_Is503InOpenAiShape()
    {
        var response = await _proxy.Client.PostAsync("/v1/responses", Json(new { model = "gpt-5.5", input = "x" }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("No accounts are configured", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Models_AreListedInOpenAiShape()
    {
        await _proxy.AddAccountAsync("models@example.com");

        var body = JsonNode.Parse(await _proxy.Client.GetStringAsync("/v1/models"))!;

        Assert.Equal("list", (string?)body["object"]);
        Assert.Contains(body["data"]!.AsArray(), m => (string?)m!["id"] == "gpt-5.5" && (string?)m["object"] == "model");
    }

    private static StringContent Json(object body) => new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<(int Status, List<(string Type, JsonNode Data)> Events)> StreamAsync(object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json(body) };
        using var response = await _proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<(string, JsonNode)>();
        var text = await response.Content.ReadAsStringAsync();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var type = block.Split('\n').FirstOrDefault(l => l.StartsWith("event: "))?[7..];
            var data = block.Split('\n').FirstOrDefault(l => l.StartsWith("data: "))?[6..];
            if (type is not null && data is not null)
            {
                events.Add((type, JsonNode.Parse(data)!));
            }
        }
        return ((int)response.StatusCode, events);
    }
}
