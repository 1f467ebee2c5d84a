using System.Diagnostics;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Events;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MultiCodex.Control.Webhooks;

/// <summary>One event on its way to one webhook; <see cref="Forced"/> (a test event) goes even to a disabled webhook.</summary>
public sealed record PendingDelivery(string DeliveryId, string WebhookId, ControlEvent Event, bool Forced);

/// <summary>
/// Delivers one event to one webhook: a signed JSON POST, retried with exponential backoff and jitter (Polly) on a
/// network error, a timeout, 408, 429 or 5xx; every attempt lands in the delivery log. Other answers (4xx, 3xx:
/// redirects are not followed) end the delivery at once. Runs on the webhook's own worker, never on a request path.
/// </summary>
public sealed partial class WebhookSender
{
    public const string ClientName = "webhooks";
    private static readonly ResiliencePropertyKey<Attempts> AttemptsKey = new("multicodex.webhook-attempts");
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    private readonly IHttpClientFactory _clients;
    private readonly WebhookStore _store;
    private readonly DeliveryAttemptLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private readonly WebhookOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public WebhookSender(IHttpClientFactory clients, WebhookStore store, DeliveryAttemptLog log, IOptions<WebhookOptions> options,
        TimeProvider time, ILogger<WebhookSender> logger)
    {
        (_clients, _store, _log, _time, _logger, _options) = (clients, store, log, time, logger, options.Value);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (_options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsWorthRetrying(args.Outcome)),
                MaxRetryAttempts = _options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.FirstRetryDelay,
                MaxDelay = _options.MaxRetryDelay,
                OnRetry = args =>
                {
                    // Logged before Polly starts the wait, with the time the next attempt is due.
                    var attempts = args.Context.Properties.GetValue(AttemptsKey, null!);
                    Record(attempts, _time.GetUtcNow() + args.RetryDelay);
                    return default;
                },
            });
        }
        _pipeline = builder.AddTimeout(_options.Timeout).Build();
    }

    /// <summary>The webhook body: the event in protobuf's JSON mapping, as <c>GET /admin/events</c> lists it.</summary>
    public static byte[] BodyOf(ControlEvent source) => System.Text.Encoding.UTF8.GetBytes(Json.Format(EventMapper.ToProto(source)));

    /// <summary>Delivers with every attempt allowed; returns when it succeeded, failed for good, or Control stops.</summary>
    public async Task DeliverAsync(PendingDelivery delivery, CancellationToken stopping)
    {
        var attempts = new Attempts(delivery, BodyOf(delivery.Event), stopping);
        var context = ResilienceContextPool.Shared.Get(stopping);
        context.Properties.Set(AttemptsKey, attempts);
        try
        {
            using var response = await _pipeline.ExecuteAsync(static (ctx, state) => state.Sender.SendOnceAsync(state.Attempts, ctx.CancellationToken),
                context, (Sender: this, Attempts: attempts));
            Finish(attempts, response.IsSuccessStatusCode);
        }
        catch (WebhookGoneException)
        {
            WebhookMetrics.Finished("dropped");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Control is stopping; the delivery is not retried after a restart (the log and queues live in memory).
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            Finish(attempts, delivered: false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<HttpResponseMessage> SendOnceAsync(Attempts attempts, CancellationToken cancellationToken)
    {
        var delivery = attempts.Delivery;
        if (_store.Find(delivery.WebhookId) is not { } webhook || (!webhook.Enabled && !delivery.Forced))
        {
            throw new WebhookGoneException();
        }
        attempts.Number++;
        var started = _time.GetUtcNow();
        var clock = _time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(attempts.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(webhook.Secret, started.ToUnixTimeSeconds(), attempts.Body));
        request.Headers.Add("X-MultiCodex-Event", EventMapper.WireName(delivery.Event.Type));
        request.Headers.Add("X-MultiCodex-Delivery", delivery.DeliveryId);
        request.Headers.Add("X-MultiCodex-Attempt", attempts.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var response = await _clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            attempts.Last = new DeliveryAttemptRecord(delivery.DeliveryId, delivery.Event.Id, delivery.Event.Type, attempts.Number, started,
                _time.GetElapsedTime(clock), status, response.IsSuccessStatusCode ? null : ErrorOf(status), null);
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !attempts.Stopping.IsCancellationRequested)
        {
            var error = e is HttpRequestException http ? http.Message : $"No answer within {_options.Timeout.TotalSeconds:0.###} s";
            attempts.Last = new DeliveryAttemptRecord(delivery.DeliveryId, delivery.Event.Id, delivery.Event.Type, attempts.Number, started,
                _time.GetElapsedTime(clock), 0, error, null);
            throw;
        }
    }

    // The last attempt ended the delivery: it succeeded, or failed with no retry left (or none worth making).
    private void Finish(Attempts attempts, bool delivered)
    {
        var error = attempts.Last?.Error;
        Record(attempts, next: null);
        WebhookMetrics.Finished(delivered ? "delivered" : "failed");
        if (!delivered)
        {
            Log.GaveUp(_logger, attempts.Delivery.WebhookId, attempts.Delivery.Event.Id, attempts.Number, error ?? "no answer");
        }
    }

    private void Record(Attempts attempts, DateTimeOffset? next)
    {
        // A webhook deleted meanwhile has no log any more; do not start one again.
        if (attempts.Last is not { } last || _store.Find(attempts.Delivery.WebhookId) is null)
        {
            return;
        }
        var recorded = last with { NextAttemptTime = next };
        _log.Add(attempts.Delivery.WebhookId, recorded);
        WebhookMetrics.Attempted(recorded.Success);
        if (!recorded.Success && next is not null)
        {
            Log.AttemptFailed(_logger, attempts.Delivery.WebhookId, attempts.Delivery.Event.Id, recorded.Attempt, recorded.Error!);
        }
        attempts.Last = null;
    }

    private static bool IsWorthRetrying(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException
        || outcome.Result is { StatusCode: var status } && ((int)status is 408 or 429 || (int)status >= 500);

    private static string ErrorOf(int status) =>
        status is >= 300 and < 400 ? $"HTTP {status} (redirects are not followed)" : $"HTTP {status}";

    /// <summary>The attempts of one delivery so far; <see cref="Last"/> waits to be logged.</summary>
    private sealed class Attempts(PendingDelivery delivery, byte[] body, CancellationToken stopping)
    {
        public PendingDelivery Delivery { get; } = delivery;
        public byte[] Body { get; } = body;
        public CancellationToken Stopping { get; } = stopping;
        public int Number { get; set; }
        public DeliveryAttemptRecord? Last { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1701, LogLevel.Warning, "Webhook {WebhookId}: attempt {Attempt} to deliver event {EventId} failed: {Error}")]
        public static partial void AttemptFailed(ILogger logger, string webhookId, string eventId, int attempt, string error);

        [LoggerMessage(1702, LogLevel.Warning, "Webhook {WebhookId}: gave up delivering event {EventId} after {Attempts} attempts ({Error})")]
        public static partial void GaveUp(ILogger logger, string webhookId, string eventId, int attempts, string error);
    }
}

/// <summary>The webhook was deleted (or disabled) while the delivery waited: it is dropped, not retried.</summary>
internal sealed class WebhookGoneException() : Exception("The webhook was deleted or disabled.");
