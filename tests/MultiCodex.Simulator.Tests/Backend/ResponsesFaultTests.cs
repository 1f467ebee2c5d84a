using System.Net;
using System.Text;
using System.Text.Json;
using MultiCodex.Simulator.Tests.Support;

namespace MultiCodex.Simulator.Tests.Backend;

public sealed class ResponsesFaultTests
{
    [Fact]
    public async Task UsageLimitReached_Answers429WithResetAndExhaustedHeaders()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test", "plus");
        account.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));

        var (response, body) = await SendAsync(sim, account);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal("usage_limit_reached", error.GetProperty("type").GetString());
        Assert.Equal("The usage limit has been reached", error.GetProperty("message").GetString());
        Assert.Equal("plus", error.GetProperty("plan_type").GetString());
        Assert.Equal(TestSim.Epoch.AddMinutes(30).ToUnixTimeSeconds(), error.GetProperty("resets_at").GetInt64());
        Assert.Equal(1800, error.GetProperty("resets_in_seconds").GetInt64());
        Assert.Equal("100", response.Headers.GetValues("x-codex-primary-used-percent").Single());
        Assert.Equal(TestSim.Epoch.AddMinutes(30).ToUnixTimeSeconds().ToString(), response.Headers.GetValues("x-codex-primary-reset-at").Single());
        Assert.Equal("1800", response.Headers.GetValues("x-codex-primary-reset-after-seconds").Single());
    }

    [Fact]
    public async Task ExhaustedWindow_Answers429ByItself_UntilTheWindowResets()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.SetPrimaryUsage(100, TestSim.Epoch.AddMinutes(20));

        var (blocked, body) = await SendAsync(sim, account);
        sim.Clock().Advance(TimeSpan.FromMinutes(21));
        var (afterReset, _) = await SendAsync(sim, account);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(TestSim.Epoch.AddMinutes(20).ToUnixTimeSeconds(), body.GetProperty("error").GetProperty("resets_at").GetInt64());
        Assert.Equal(HttpStatusCode.OK, afterReset.StatusCode);
    }

    [Fact]
    public async Task UsageLimitAs404_Answers404WithTheUsageLimitBody()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.UsageLimitReachedAs404());

        var (response, body) = await SendAsync(sim, account);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("usage_limit_reached", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task UsageLimitInStream_Answers200WhoseFirstEventIsResponseFailed()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.UsageLimitReachedInStream());
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("x")));
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var failed = Assert.Single(events);
        Assert.Equal("response.failed", failed.Event);
        var error = failed.Data.GetProperty("response").GetProperty("error");
        Assert.Equal("usage_limit_reached", error.GetProperty("code").GetString());
        Assert.Equal("usage_limit_reached", error.GetProperty("type").GetString());
        Assert.True(error.GetProperty("resets_at").GetInt64() > TestSim.Epoch.ToUnixTimeSeconds());
        Assert.Equal(0, account.CompletedResponseCount);
    }

    [Theory]
    [InlineData("not_included", 429, "usage_not_included")]
    [InlineData("rate_limit", 429, "rate_limit_exceeded")]
    [InlineData("expired", 401, "token_expired")]
    [InlineData("invalidated", 401, "token_invalidated")]
    [InlineData("overloaded", 503, "server_is_overloaded")]
    [InlineData("server_error", 500, "server_error")]
    public async Task ErrorBehaviors_AnswerTheRealStatusAndCode(string kind, int status, string code)
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(kind switch
        {
            "not_included" => ResponseBehavior.UsageNotIncluded(),
            "rate_limit" => ResponseBehavior.RateLimitExceeded(),
            "expired" => ResponseBehavior.TokenExpired(),
            "invalidated" => ResponseBehavior.TokenInvalidated(),
            "overloaded" => ResponseBehavior.Overloaded(),
            _ => ResponseBehavior.ServerError(),
        });

        var (response, body) = await SendAsync(sim, account);

        Assert.Equal(status, (int)response.StatusCode);
        var error = body.GetProperty("error");
        var actual = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : error.GetProperty("type").GetString();
        Assert.Equal(code, actual);
        if (status == 401)
        {
            Assert.Equal(401, body.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task BadRequestAndRawErrorBehaviors_AnswerAsScripted()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.BadRequest("Instructions are required"));
        account.EnqueueBehavior(ResponseBehavior.HttpError(418, """{"error":{"code":"teapot"}}"""));

        var (badRequest, badBody) = await SendAsync(sim, account);
        var (raw, rawBody) = await SendAsync(sim, account);

        Assert.Equal(HttpStatusCode.BadRequest, badRequest.StatusCode);
        Assert.Equal("Instructions are required", badBody.GetProperty("detail").GetString());
        Assert.Equal(418, (int)raw.StatusCode);
        Assert.Equal("teapot", rawBody.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task StreamFailedBehavior_SendsResponseFailedWithTheCode()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.StreamFailed("context_length_exceeded", "Your input exceeds the context window of this model."));
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("x")));
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal("context_length_exceeded", Assert.Single(events).Data.GetProperty("response").GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task DropMidStream_SendsSomeDeltasThenBreaksTheConnection()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.DropMidStream(deltasBeforeDrop: 2));
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(
            ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("one two three four five")),
            HttpCompletionOption.ResponseHeadersRead);
        var received = new StringBuilder();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];

        // The drop waits on the fake clock, so the test lets it happen only once both deltas have arrived.
        while (SseReader.Parse(received.ToString()).Count(e => e.Event == "response.output_text.delta") < 2)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        await sim.WaitForPausedStreamAsync().WaitAsync(TimeSpan.FromSeconds(10));
        sim.Clock().Advance(StreamRunnerGrace);
        var failure = await Record.ExceptionAsync(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(failure);
        var events = SseReader.Parse(received.ToString());
        Assert.Equal(2, events.Count(e => e.Event == "response.output_text.delta"));
        Assert.DoesNotContain(events, e => e.Event == "response.completed");
        Assert.Equal(0, account.CompletedResponseCount);
    }

    [Fact]
    public async Task QueuedBehaviors_ApplyToTheNextNRequests_ThenSuccess()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        account.EnqueueBehavior(ResponseBehavior.Overloaded(), times: 2);

        var (first, _) = await SendAsync(sim, account);
        var (second, _) = await SendAsync(sim, account);
        Assert.Equal(0, account.PendingBehaviorCount);
        var (third, _) = await SendAsync(sim, account);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(3, account.ResponsesRequestCount);
        Assert.Equal(1, account.CompletedResponseCount);
    }

    [Fact]
    public async Task ExpireAccessTokens_MakesBackendAnswerTokenExpired()
    {
        await using var sim = await TestSim.StartAsync();
        var account = sim.AddAccount("a@x.test");
        var tokens = account.MintTokens();
        account.ExpireAccessTokens();
        using var client = TestSim.Client(sim);

        using var response = await client.SendAsync(ResponsesRequests.Post(account, tokens, ResponsesRequests.CodexLike("x")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"code\":\"token_expired\"", await response.Content.ReadAsStringAsync());
    }

    private static readonly TimeSpan StreamRunnerGrace = TimeSpan.FromMilliseconds(150);

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(FakeChatGpt sim, SimAccount account)
    {
        using var client = TestSim.Client(sim);
        var response = await client.SendAsync(ResponsesRequests.Post(account, account.MintTokens(), ResponsesRequests.CodexLike("x")));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.StartsWith('{') ? text : "{}");
        return (response, doc.RootElement.Clone());
    }
}
