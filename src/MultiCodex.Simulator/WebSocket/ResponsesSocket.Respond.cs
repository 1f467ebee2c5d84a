using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Backend;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.WebSocket;

/// <summary>Answering one <c>response.create</c>: 1. the connection's age, 2. the continuation, 3. validation,
/// 4. the planned answer as an error frame or as events, 5. what the connection keeps afterwards.</summary>
internal sealed partial class ResponsesSocket
{
    /// <summary>The <c>client_metadata</c> key that marks a Responses Lite request over WebSocket (the exact key is not
    /// confirmed upstream; the HTTP header is also honoured on the upgrade).</summary>
    public const string LiteMetadataKey = "x-openai-internal-codex-responses-lite";

    private async Task RespondAsync(JsonObject frame, RecordedFrame recorded, CancellationToken ct)
    {
        try
        {
            await RespondCoreAsync(frame, recorded, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The connection went away mid-answer.
        }
    }

    private async Task RespondCoreAsync(JsonObject frame, RecordedFrame recorded, CancellationToken ct)
    {
        // 1. An old connection refuses every request; the client opens a new one and sends the full history.
        var limit = state.Options.WebSocketMaxConnectionAge;
        if (state.Now - _openedAt >= limit)
        {
            await FailAsync(recorded, SocketFrames.Error(400, new JsonObject { ["error"] = BackendErrors.ConnectionLimitReached(limit) }), ct);
            await CloseAsync();
            return;
        }

        account.CountResponsesRequest();

        // 2. A continuation names the latest response of this connection and sends only the new items.
        var previous = frame["previous_response_id"] is JsonValue p && p.TryGetValue<string>(out var id) ? id : null;
        if (previous is not null)
        {
            if (_last?.Id != previous)
            {
                await FailAsync(recorded, SocketFrames.Error(400, new JsonObject { ["error"] = BackendErrors.PreviousResponseNotFound(previous) }), ct);
                return;
            }

            var input = new JsonArray([.. _last.Input.Select(Clone), .. _last.Output.Select(Clone), .. (frame["input"] as JsonArray ?? []).Select(Clone)]);
            frame["input"] = input;
        }

        // 3. The same rules as HTTP, with the WebSocket-only fields allowed.
        frame.Remove("type");
        var body = JsonSerializer.SerializeToElement(frame);
        var isLite = liteHeader || (frame["client_metadata"] is JsonObject metadata
            && metadata.Any(pair => string.Equals(pair.Key, LiteMetadataKey, StringComparison.OrdinalIgnoreCase)));
        var request = ResponsesRequestValidator.Validate(body, ResponsesTransport.WebSocket, isLite, state.Options, state.Compactions);
        if (request.Error is not null)
        {
            Evict(previous);
            await FailAsync(recorded, SocketFrames.Error(400, request.Error), ct);
            return;
        }

        // 4. The answer.
        switch (ResponseTurn.Plan(state, account, request, body.GetRawText().Length))
        {
            case ErrorAnswer error:
                Evict(previous);
                var headers = error.QuotaUsage is { } usage ? RateLimitHeaders.For(account, usage, error.Kind) : null;
                await FailAsync(recorded, SocketFrames.Error(error.Status, error.Body, headers), ct);
                break;
            case StreamAnswer answer:
                await StreamAsync(answer, request, recorded, ct);
                break;
        }
    }

    private async Task StreamAsync(StreamAnswer answer, ResponsesRequest request, RecordedFrame recorded, CancellationToken ct)
    {
        var builder = answer.Builder;
        recorded.ResponseId = builder.ResponseId;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (_gate)
        {
            _running = running;
            _runningId = builder.ResponseId;
            _interrupted = false;
        }

        bool finished;
        try
        {
            finished = await StreamRunner.RunAsync(WithVendorEvents(answer, request), answer.Behavior, _sink, state.Clock, running.Token);
        }
        catch (OperationCanceledException) when (_interrupted && !ct.IsCancellationRequested)
        {
            // 5a. Interrupted: partial items are discarded, and the follow-up may chain on this id.
            var incomplete = builder.Interrupted();
            await _sink.SendAsync(incomplete.Type, incomplete.Payload(0), ct);
            _last = new CachedResponse(builder.ResponseId, request.Input, []);
            state.Sockets.Frames.Finish(recorded, incomplete.Type);
            return;
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
                _runningId = null;
            }
        }

        if (!finished)
        {
            // 5b. A scripted drop breaks the TCP connection without a close frame.
            state.Sockets.Frames.Finish(recorded, "dropped");
            context.Abort();
            return;
        }

        // 5c. A completed response (a warmup too) is what the next continuation may name; a failed one is not kept.
        _last = answer.Completes ? new CachedResponse(builder.ResponseId, request.Input, (JsonArray)builder.Output.DeepClone()) : null;
        if (answer.Completes && request.Generate)
        {
            account.RecordCompletedResponse(answer.OnReserve);
        }

        state.Sockets.Frames.Finish(recorded, answer.Events[^1].Type);
    }

    /// <summary>The rate-limit snapshot goes first; the turn state right after <c>response.created</c>.</summary>
    private IReadOnlyList<SseEvent> WithVendorEvents(StreamAnswer answer, ResponsesRequest request)
    {
        var events = new List<SseEvent> { new("codex.rate_limits", SocketFrames.RateLimits(account, account.GetUsage())) { IsSequenced = false } };
        foreach (var sseEvent in answer.Events)
        {
            events.Add(answer.Behavior.EndsWithResponseDone && sseEvent.Type == "response.completed" ? sseEvent with { Type = "response.done" } : sseEvent);
            if (sseEvent.Type == "response.created" && request.Generate)
            {
                events.Add(new SseEvent("response.metadata", SocketFrames.Metadata(answer.Builder.ResponseId, "sim-" + Ids.Hex(8))) { IsSequenced = false });
                if (answer.Behavior.ExtraEventType is { } extra)
                {
                    events.Add(new SseEvent(extra, new JsonObject { ["note"] = "an event clients do not know" }) { IsSequenced = false });
                }
            }
        }

        return events;
    }

    /// <summary>A continuation that fails drops the state it named, as the upstream's connection cache does.</summary>
    private void Evict(string? previous)
    {
        if (previous is not null && _last?.Id == previous)
        {
            _last = null;
        }
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
