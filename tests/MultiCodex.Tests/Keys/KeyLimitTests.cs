using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MultiCodex.Control.V1;
using MultiCodex.Simulator;
using MultiCodex.Tests.Events;
using MultiCodex.Tests.Infrastructure;
using static MultiCodex.Tests.Keys.KeyRequests;

namespace MultiCodex.Tests.Keys;

/// <summary>
/// Every limit a client key can have, enforced by the real Edge on real /v1 requests (the fake ChatGPT backend behind
/// it), each refusal in OpenAI's shape with the code that names the limit. The whole stack runs on one fake clock that
/// starts at 21:00:00.250 UTC, so windows and <c>Retry-After</c> are exact; reports reach Control when the test
/// flushes them.
/// </summary>
public sealed class KeyLimitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero).AddHours(21).AddMilliseconds(250);
    private readonly TimerAwareClock _time = new(Start);
    private ProxyFixture _proxy = null!;

    private HttpClient Admin => _proxy.Stack.Admin;
    private HttpClient Client => _proxy.Client;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync(time: _time);

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task RequestBudget_Is429_WithRetryAfterExactToMidnightUtc_FiresItsEventOncePerWindow_AndFreesUpAtMidnight()
    {
        await _proxy.AddAccountAsync("budget@example.com");
        using var events = await EventStream.OpenAsync(_proxy.Stack.Control.Channel, Event.Types.Type.KeyBudgetReached);
        var (id, secret) = await CreateKeyAsync(Admin, "ci", new { requestsPerDay = 2 });
        await _proxy.Stack.Edge.SyncPoolAsync();
        var midnight = new DateTimeOffset(Start.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

        var first = await RespondAsync(Client, secret);
        var second = await RespondAsync(Client, secret);
        // Refused by the Edge's own count: Control has heard of neither request yet.
        var third = await RespondAsync(Client, secret);
        var thirdBody = JsonNode.Parse(await third.Content.ReadAsStringAsync())!["error"]!;
        await _proxy.Stack.Edge.FlushReportsAsync();
        var reached = await events.NextAsync();
        var fourth = await RespondAsync(Client, secret, path: "/v1/chat/completions");
        await _proxy.Stack.Edge.FlushReportsAsync();
        var usage = JsonNode.Parse(await (await GetAsync(Client, secret, "/v1/usage")).Content.ReadAsStringAsync())!;
        var listed = JsonNode.Parse(await Admin.GetStringAsync($"/admin/api-keys/{id}"))!["apiKey"]!;

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var refusal = await ErrorOf(third);
        Assert.Equal((HttpStatusCode.TooManyRequests, "key_budget_exceeded", "requests"), (refusal.Status, refusal.Code, refusal.Type));
        Assert.Equal(10_800, RetryAfter(third)); // 10 799.75 s to midnight, in whole seconds
        Assert.Contains("daily request budget (2 requests per day, UTC)", refusal.Message);
        Assert.Contains($"frees up at {midnight:yyyy-MM-dd} 00:00:00 UTC (in 3 h 0 min)", refusal.Message);
        Assert.Equal(midnight.ToUnixTimeSeconds(), (long)thirdBody["resets_at"]!);
        Assert.Equal((HttpStatusCode.TooManyRequests, "key_budget_exceeded"), ((await ErrorOf(fourth)).Status, (await ErrorOf(fourth)).Code));

        Assert.Equal(Event.Types.Type.KeyBudgetReached, reached.Type);
        Assert.Equal((id, "ci", "requests_per_day", "2", "2"),
            (reached.Data["key_id"], reached.Data["key_name"], reached.Data["budget"], reached.Data["limit"], reached.Data["used"]));
        Assert.Equal(midnight, DateTimeOffset.Parse(reached.Data["reset_time"], CultureInfo.InvariantCulture));
        Assert.Contains("Key ci reached its daily request budget", reached.Summary);
        Assert.Null(reached.Account);

        var budget = Assert.Single(usage["limits"]!["budgets"]!.AsArray())!;
        Assert.Equal(("requests_per_day", 2L, 2L, 0L, midnight.ToUnixTimeSeconds()),
            ((string?)budget["budget"], (long)budget["limit"]!, (long)budget["used"]!, (long)budget["remaining"]!, (long)budget["resets_at"]!));
        // The key's figures hold every request it made, the refused ones as errors; its budget only what reached an account.
        Assert.Equal((4L, 2L), ((long)usage["usage"]!["24h"]!["requests"]!, (long)usage["usage"]!["24h"]!["errors"]!));
        var status = Assert.Single(listed["budgets"]!.AsArray())!;
        Assert.Equal(("METRIC_REQUESTS", "PERIOD_DAY", "2", "2"), ((string?)status["metric"], (string?)status["period"], (string?)status["limit"], (string?)status["used"]));

        // At midnight UTC the budget frees up at once; the next day's second request reaches it again: a new event for a
        // new window (had the refused requests announced anything, this read would see that event first).
        _time.Advance(midnight - _time.GetUtcNow());
        var nextDay = await RespondAsync(Client, secret);
        var nextDaySecond = await RespondAsync(Client, secret);
        var nextDayThird = await RespondAsync(Client, secret);
        await _proxy.Stack.Edge.FlushReportsAsync();
        var reachedAgain = await events.NextAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests), (nextDay.StatusCode, nextDaySecond.StatusCode, nextDayThird.StatusCode));
        Assert.Equal(86_400, RetryAfter(nextDayThird));
        Assert.Equal(midnight, DateTimeOffset.Parse(reachedAgain.Data["window_start_time"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TokenBudget_RefusesOnceAnAnswersTokensReachIt_UntilMondayUtc()
    {
        await _proxy.AddAccountAsync("tokens@example.com");
        var (_, secret) = await CreateKeyAsync(Admin, "agent", new { tokensPerWeek = 20 });
        await _proxy.Stack.Edge.SyncPoolAsync();

        var first = await RespondAsync(Client, secret);
        var spent = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["usage"]!;
        var tokens = (long)spent["input_tokens"]! + (long)spent["output_tokens"]!;
        var second = await RespondAsync(Client, secret);
        var usage = JsonNode.Parse(await (await GetAsync(Client, secret, "/v1/usage")).Content.ReadAsStringAsync())!;

        var now = _time.GetUtcNow();
        var daysToMonday = ((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7 is var d and > 0 ? d : 7;
        var monday = new DateTimeOffset(now.UtcDateTime.Date.AddDays(daysToMonday), TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(tokens >= 20, $"the fake's answer should spend the 20-token budget (it used {tokens})");
        var refusal = await ErrorOf(second);
        Assert.Equal((HttpStatusCode.TooManyRequests, "key_budget_exceeded", "tokens"), (refusal.Status, refusal.Code, refusal.Type));
        Assert.Contains("weekly token budget (20 tokens per week, UTC)", refusal.Message);
        Assert.Equal((long)Math.Ceiling((monday - now).TotalSeconds), RetryAfter(second));
        var budget = Assert.Single(usage["limits"]!["budgets"]!.AsArray())!;
        Assert.Equal(("tokens_per_week", tokens, monday.ToUnixTimeSeconds()), ((string?)budget["budget"], (long)budget["used"]!, (long)budget["resets_at"]!));
    }

    [Fact]
    public async Task ConcurrencyLimit_Is429WhileTheLimitIsInFlight_AndAdmitsAgainOnceOneEnds()
    {
        var (sim, _) = await _proxy.AddAccountAsync("busy@example.com");
        var (_, secret) = await CreateKeyAsync(Admin, "one-at-a-time", new { maxConcurrentRequests = 1 });
        await _proxy.Stack.Edge.SyncPoolAsync();
        // The first answer's events wait on the fake clock: the request stays in flight until the test moves it on.
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromSeconds(1)));

        var slow = RespondAsync(Client, secret);
        await _proxy.Upstream.WaitForPausedStreamAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var meanwhile = await RespondAsync(Client, secret);
        await DriveAsync(slow);
        var after = await RespondAsync(Client, secret);

        var refusal = await ErrorOf(meanwhile);
        Assert.Equal((HttpStatusCode.TooManyRequests, "key_concurrency_limit", "requests"), (refusal.Status, refusal.Code, refusal.Type));
        Assert.Equal(1, RetryAfter(meanwhile));
        Assert.Contains("1 requests in flight", refusal.Message);
        Assert.Contains("as soon as one of them ends", refusal.Message);
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ModelAllowlist_Is403KeyModelNotAllowed_OnBothDialects_AndLetsTheAllowedModelsThrough()
    {
        await _proxy.AddAccountAsync("models@example.com");
        var (_, secret) = await CreateKeyAsync(Admin, "gpt5-only", new { allowedModels = new[] { "gpt-5*" } });
        await _proxy.Stack.Edge.SyncPoolAsync();
        var before = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Count;

        var responses = await RespondAsync(Client, secret, model: "gpt-4.1");
        var chat = await RespondAsync(Client, secret, model: "gpt-4.1", path: "/v1/chat/completions");
        var refusedUpstream = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Count - before;
        var allowed = await RespondAsync(Client, secret, model: "gpt-5.5");

        foreach (var refused in new[] { responses, chat })
        {
            var error = await ErrorOf(refused);
            Assert.Equal((HttpStatusCode.Forbidden, "key_model_not_allowed", "model"), (error.Status, error.Code, error.Param));
            Assert.Equal("This API key may not use the model 'gpt-4.1'; it may use: gpt-5*.", error.Message);
            Assert.Null(RetryAfter(refused));
        }
        Assert.Equal(0, refusedUpstream);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Expiry_Is403KeyExpired_OnModelCallsAndTheCatalog_WhileTheHolderCanStillReadWhy()
    {
        await _proxy.AddAccountAsync("expiry@example.com");
        var expires = _time.GetUtcNow().AddHours(1);
        var (_, secret) = await CreateKeyAsync(Admin, "contractor", new { expireTime = expires.ToString("O", CultureInfo.InvariantCulture) });
        await _proxy.Stack.Edge.SyncPoolAsync();

        var before = await RespondAsync(Client, secret);
        _time.Advance(TimeSpan.FromHours(1));
        var after = await RespondAsync(Client, secret);
        var catalog = await GetAsync(Client, secret, "/v1/models");
        var usage = await GetAsync(Client, secret, "/v1/usage");
        var limits = JsonNode.Parse(await usage.Content.ReadAsStringAsync())!["limits"]!;

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        foreach (var refused in new[] { after, catalog })
        {
            var error = await ErrorOf(refused);
            Assert.Equal((HttpStatusCode.Forbidden, "key_expired"), (error.Status, error.Code));
            Assert.Contains($"expired at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", error.Message);
        }
        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.True((bool)limits["expired"]!);
        Assert.Equal(expires.ToUnixTimeSeconds(), (long)limits["expires_at"]!);
    }

    [Fact]
    public async Task AllowedAccounts_OnlyThoseServeTheKey_AndWhenTheyAreBlockedTheKeyWaitsForThem()
    {
        var (alice, aliceId) = await _proxy.AddAccountAsync("alice@example.com", priority: 0);
        var (bob, bobId) = await _proxy.AddAccountAsync("bob@example.com", priority: 1);
        var (_, bobOnly) = await CreateKeyAsync(Admin, "bob-only", new { allowedAccountIds = new[] { bobId } });
        var (_, aliceOnly) = await CreateKeyAsync(Admin, "alice-only", new { allowedAccountIds = new[] { aliceId } });
        var (_, anyAccount) = await CreateKeyAsync(Admin, "any");
        await _proxy.Stack.Edge.SyncPoolAsync();

        var onBob = await RespondAsync(Client, bobOnly, explain: true);
        alice.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(30)));
        var bobBefore = bob.ResponsesRequestCount;
        var aliceBlocked = await RespondAsync(Client, aliceOnly, explain: true);
        var bobAfter = bob.ResponsesRequestCount;
        var others = await RespondAsync(Client, anyAccount, explain: true);

        Assert.Equal(HttpStatusCode.OK, onBob.StatusCode);
        Assert.Equal("bob@example.com", onBob.Headers.GetValues("x-multicodex-account").Single());
        var refusal = await ErrorOf(aliceBlocked);
        Assert.Equal((HttpStatusCode.TooManyRequests, "usage_limit_reached"), (refusal.Status, refusal.Code));
        Assert.InRange(RetryAfter(aliceBlocked)!.Value, 1790, 1800);
        Assert.Equal(bobBefore, bobAfter); // bob was free, but not this key's to use
        Assert.Equal("bob@example.com", others.Headers.GetValues("x-multicodex-account").Single());
    }

    [Fact]
    public async Task ANewKeyWithARevokedKeysName_SharesNeitherItsBudgetNorItsFigures()
    {
        await _proxy.AddAccountAsync("reuse@example.com");
        var (oldId, oldSecret) = await CreateKeyAsync(Admin, "laptop", new { requestsPerDay = 1 });
        await _proxy.Stack.Edge.SyncPoolAsync();
        Assert.Equal(HttpStatusCode.OK, (await RespondAsync(Client, oldSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await RespondAsync(Client, oldSecret)).StatusCode);
        await _proxy.Stack.Edge.FlushReportsAsync();
        (await Admin.DeleteAsync($"/admin/api-keys/{oldId}")).EnsureSuccessStatusCode();

        var (newId, newSecret) = await CreateKeyAsync(Admin, "laptop", new { requestsPerDay = 1 });
        await _proxy.Stack.Edge.SyncPoolAsync();
        var fresh = await RespondAsync(Client, newSecret);
        await _proxy.Stack.Edge.FlushReportsAsync();
        var usage = JsonNode.Parse(await (await GetAsync(Client, newSecret, "/v1/usage")).Content.ReadAsStringAsync())!;

        Assert.NotEqual(oldId, newId);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal((newId, 1L), ((string?)usage["key"]!["id"], (long)usage["usage"]!["24h"]!["requests"]!));
        Assert.Equal(1, (long)usage["limits"]!["budgets"]![0]!["used"]!);
    }

    // Moves the fake clock on whenever the slow stream waits on it, until the request is answered.
    private async Task DriveAsync(Task<HttpResponseMessage> request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!request.IsCompleted)
        {
            var paused = _proxy.Upstream.WaitForPausedStreamAsync(timeout.Token);
            if (await Task.WhenAny(request, paused) == paused)
            {
                await paused;
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }
}
