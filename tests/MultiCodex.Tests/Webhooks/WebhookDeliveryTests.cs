using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MultiCodex.Control.Events;
using MultiCodex.Control.Pool;
using MultiCodex.Control.Webhooks;
using MultiCodex.Simulator;
using MultiCodex.Tests.Events;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Webhooks;

/// <summary>
/// Deliveries to a real HTTP receiver on loopback: signed so the receiver can verify them, filtered by type, retried
/// with backoff on the fake clock, and a slow receiver never holding up another webhook.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task TestEvent_ArrivesSignedWithTheSecret_AndLandsInTheDeliveryLog()
    {
        await using var stack = await Stack.StartAsync();
        var (id, secret) = await CreateAsync(stack, new { url = _receiver.Url.ToString(), enabled = false });

        var test = await stack.Admin.PostAsync($"/admin/webhooks/{id}/test", null);
        var delivery = await _receiver.NextAsync();
        var attempts = await AttemptsAsync(stack, id, count: 1);

        var queued = (await test.Content.ReadFromJsonAsync<JsonObject>())!["event"]!;
        Assert.True(test.IsSuccessStatusCode);
        Assert.True(delivery.HasValidSignature(secret), "the signature verifies with the secret");
        Assert.False(delivery.HasValidSignature(secret + "x"));
        Assert.InRange(delivery.SignedAt, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(("TYPE_WEBHOOK_TEST", "1"), (delivery.Header("X-MultiCodex-Event"), delivery.Header("X-MultiCodex-Attempt")));
        Assert.StartsWith("application/json", delivery.Header("Content-Type"));
        Assert.Equal((string?)queued["id"], (string?)delivery.Json["id"]);
        Assert.Equal("TYPE_WEBHOOK_TEST", (string?)delivery.Json["type"]);
        Assert.Equal(id, (string?)delivery.Json["data"]!["webhook_id"]);
        var attempt = Assert.Single(attempts)!;
        Assert.Equal((true, 200, 1), ((bool?)attempt["success"], (int?)attempt["statusCode"], (int?)attempt["attempt"]));
        Assert.Equal(delivery.Header("X-MultiCodex-Delivery"), (string?)attempt["deliveryId"]);
        Assert.Null(attempt["nextAttemptTime"]);
        var listed = (await stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/webhooks/{id}"))!["webhook"]!;
        Assert.Equal((string?)attempt["deliveryId"], (string?)listed["lastAttempt"]!["deliveryId"]);
    }

    [Fact]
    public async Task RealQuotaBlock_ReachesOnlyTheWebhooksThatWantIt_WithoutTokens()
    {
        var time = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyFixture.StartAsync(null, time);
        var (blockedHook, blockedSecret) = await CreateAsync(proxy.Stack, new { url = _receiver.UrlFor("blocked").ToString(), eventTypes = new[] { "TYPE_ACCOUNT_BLOCKED" } });
        var (recoveredHook, _) = await CreateAsync(proxy.Stack, new { url = _receiver.UrlFor("recovered").ToString(), eventTypes = new[] { "TYPE_POOL_RECOVERED" } });
        var (disabledHook, _) = await CreateAsync(proxy.Stack, new { url = _receiver.UrlFor("disabled").ToString(), enabled = false });
        var (sim, accountId) = await proxy.AddAccountAsync("hooked@example.com");
        sim.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromMinutes(20)));

        var answer = await proxy.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"hi"}""", Encoding.UTF8, "application/json"));
        var blocked = await _receiver.NextAsync();
        // The block ends on Control's housekeeping tick: its timer must exist before the clock jumps past the block.
        await time.WaitForTimerAsync(armedBy: typeof(BlockHousekeeping));
        time.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(2));
        var recovered = await _receiver.NextAsync();

        Assert.Equal(429, (int)answer.StatusCode);
        Assert.Equal(("/hooks/blocked", "TYPE_ACCOUNT_BLOCKED"), (blocked.Path, blocked.Header("X-MultiCodex-Event")));
        Assert.True(blocked.HasValidSignature(blockedSecret));
        Assert.Equal(("TYPE_ACCOUNT_BLOCKED", accountId, "hooked@example.com"),
            ((string?)blocked.Json["type"], (string?)blocked.Json["account"]!["id"], (string?)blocked.Json["account"]!["email"]));
        Assert.Equal("usage_limit_reached", (string?)blocked.Json["data"]!["reason"]);
        NoTokens.In(blocked.Body, proxy.Stack.Data);
        Assert.Equal(("/hooks/recovered", "TYPE_POOL_RECOVERED"), (recovered.Path, (string?)recovered.Json["type"]));
        NoTokens.In(recovered.Body, proxy.Stack.Data);
        // The pool's exhaustion and the unblock came in between; the dispatcher fans out in order, so by now every
        // event has been handed to every webhook that wanted it: nothing else arrived, and the disabled one got nothing.
        Assert.False(_receiver.HasPending);
        Assert.Empty(await AttemptsAsync(proxy.Stack, disabledHook, count: 0));
        Assert.Single(await AttemptsAsync(proxy.Stack, blockedHook, count: 1));
        Assert.Single(await AttemptsAsync(proxy.Stack, recoveredHook, count: 1));
    }

    [Fact]
    public async Task FailingReceiver_IsRetriedWithBackoff_ThreeAttemptsInTheLog()
    {
        var time = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var stack = await Stack.StartAsync(time: time);
        var log = stack.Control.Services.GetRequiredService<DeliveryAttemptLog>();
        var (id, secret) = await CreateAsync(stack, new { url = _receiver.Url.ToString() });
        _receiver.AnswerWith(500, 500);

        (await stack.Admin.PostAsync($"/admin/webhooks/{id}/test", null)).EnsureSuccessStatusCode();
        var received = new List<WebhookReceiver.Delivery> { await _receiver.NextAsync() };
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            // The failed attempt is logged with the time of the next one; advance the clock once Polly waits for it.
            var failed = (await AttemptsAsync(stack, id, count: attempt))[0]!;
            var delay = log.List(id)[0].NextAttemptTime!.Value - time.GetUtcNow();
            Assert.Equal((500, false), ((int?)failed["statusCode"], (bool?)failed["success"]));
            Assert.InRange(delay, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(10));
            await time.WaitForTimerAsync(delay);
            time.Advance(delay);
            received.Add(await _receiver.NextAsync());
        }
        var attempts = await AttemptsAsync(stack, id, count: 3);

        Assert.Equal([3, 2, 1], attempts.Select(a => (int)a!["attempt"]!));
        Assert.Equal([200, 500, 500], attempts.Select(a => (int)a!["statusCode"]!));
        Assert.Equal(["HTTP 500", "HTTP 500"], attempts.Skip(1).Select(a => (string)a!["error"]!));
        Assert.Null(attempts[0]!["nextAttemptTime"]);
        Assert.NotNull(attempts[1]!["nextAttemptTime"]);
        Assert.Single(attempts.Select(a => (string)a!["deliveryId"]!).Distinct());
        Assert.Equal(["1", "2", "3"], received.Select(r => r.Header("X-MultiCodex-Attempt")));
        Assert.All(received, r => Assert.True(r.HasValidSignature(secret)));
        Assert.Single(received.Select(r => r.Header("X-MultiCodex-Delivery")).Distinct());
        // Each attempt is signed afresh: its timestamp follows the fake clock past the backoff.
        Assert.True(received[2].SignedAt > received[0].SignedAt);
    }

    [Fact]
    public async Task RefusalIsNotRetried_WhileAnUnreachableReceiverIsRetriedWithTheErrorInTheLog()
    {
        await using var stack = await Stack.StartAsync(time: new TimerAwareClock(DateTimeOffset.UtcNow));
        var (refusing, _) = await CreateAsync(stack, new { url = _receiver.Url.ToString() });
        var (unreachable, _) = await CreateAsync(stack, new { url = "http://127.0.0.1:9/hooks" });
        _receiver.AnswerWith(410);

        (await stack.Admin.PostAsync($"/admin/webhooks/{refusing}/test", null)).EnsureSuccessStatusCode();
        (await stack.Admin.PostAsync($"/admin/webhooks/{unreachable}/test", null)).EnsureSuccessStatusCode();
        var refused = (await AttemptsAsync(stack, refusing, count: 1))[0]!;
        var failed = (await AttemptsAsync(stack, unreachable, count: 1))[0]!;

        Assert.Equal((410, "HTTP 410", false), ((int?)refused["statusCode"], (string?)refused["error"], (bool?)refused["success"]));
        Assert.Null(refused["nextAttemptTime"]);
        Assert.Equal(0, (int?)failed["statusCode"] ?? 0);
        Assert.Contains("Connection refused", (string?)failed["error"]);
        Assert.NotNull(failed["nextAttemptTime"]);
    }

    [Fact]
    public async Task NoAttemptLeft_EndsTheDeliveryAsFailed()
    {
        await using var stack = await Stack.StartAsync(new Dictionary<string, string?> { ["WEBHOOK_MAX_ATTEMPTS"] = "1" });
        var (id, _) = await CreateAsync(stack, new { url = _receiver.Url.ToString() });
        _receiver.AnswerWith(503);

        (await stack.Admin.PostAsync($"/admin/webhooks/{id}/test", null)).EnsureSuccessStatusCode();
        await _receiver.NextAsync();
        var attempt = (await AttemptsAsync(stack, id, count: 1))[0]!;
        var webhook = (await stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/webhooks/{id}"))!["webhook"]!;

        Assert.Equal((503, "HTTP 503", 1), ((int?)attempt["statusCode"], (string?)attempt["error"], (int?)attempt["attempt"]));
        Assert.Null(attempt["nextAttemptTime"]);
        Assert.Equal("HTTP 503", (string?)webhook["lastAttempt"]!["error"]);
        Assert.Contains("multicodex_control_webhook_deliveries_total{result=\"failed\"}", await stack.Admin.GetStringAsync(new Uri(stack.Control.Url, "/metrics")));
    }

    [Fact]
    public async Task SlowReceiver_DoesNotDelayAnotherWebhook()
    {
        // A long attempt timeout: the slow receiver stays slow for the whole test, however busy the machine is.
        await using var stack = await Stack.StartAsync(new Dictionary<string, string?> { ["WEBHOOK_TIMEOUT_SECONDS"] = "120" });
        await using var slow = await WebhookReceiver.StartAsync();
        slow.Hold();
        var (slowHook, _) = await CreateAsync(stack, new { url = slow.Url.ToString() });
        var (fastHook, _) = await CreateAsync(stack, new { url = _receiver.Url.ToString() });
        var events = stack.Control.Services.GetRequiredService<ControlEvents>();

        // The one call later features use (key budgets): both webhooks want every type.
        events.Publish(ControlEventType.KeyBudgetReached, "Key ci used its daily request budget.", new Dictionary<string, string> { ["key_id"] = "key_1" });
        var stuck = await slow.NextAsync();
        var first = await _receiver.NextAsync();
        events.Publish(ControlEventType.KeyBudgetReached, "Key ci used its weekly request budget.");
        var second = await _receiver.NextAsync();
        var fastAttempts = await AttemptsAsync(stack, fastHook, count: 2);
        var slowAttempts = await AttemptsAsync(stack, slowHook, count: 0);

        Assert.Equal("TYPE_KEY_BUDGET_REACHED", (string?)stuck.Json["type"]);
        Assert.Equal(["Key ci used its daily request budget.", "Key ci used its weekly request budget."],
            new[] { first, second }.Select(d => (string)d.Json["summary"]!));
        Assert.All(fastAttempts, a => Assert.True((bool?)a!["success"]));
        Assert.Empty(slowAttempts);

        // Released, the slow receiver gets the rest of its own queue, in order.
        slow.Release();
        var next = await slow.NextAsync();
        Assert.Equal("Key ci used its weekly request budget.", (string?)next.Json["summary"]);
    }

    private static async Task<(string Id, string Secret)> CreateAsync(Stack stack, object webhook)
    {
        var response = await stack.Admin.PostAsJsonAsync("/admin/webhooks", webhook);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return ((string)body["webhook"]!["id"]!, (string)body["secret"]!);
    }

    /// <summary>The webhook's delivery log (newest first) once it holds <paramref name="count"/> attempts; at most 10 s.</summary>
    private static async Task<JsonArray> AttemptsAsync(Stack stack, string webhookId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var attempts = (await stack.Admin.GetFromJsonAsync<JsonObject>($"/admin/webhooks/{webhookId}/deliveries"))!["attempts"]?.AsArray() ?? [];
            if (attempts.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, attempts.Count);
                return attempts;
            }
            await Task.Delay(50);
        }
    }
}
