using Microsoft.AspNetCore.Http.Features;
using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Observability;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.Backend;

/// <summary><c>POST /backend-api/codex/responses</c>: authenticate, validate, plan the answer
/// (<see cref="ResponseTurn"/>), then write it as a JSON error or an SSE stream.</summary>
internal static class ResponsesEndpoint
{
    /// <summary>The header that marks a Responses Lite request over HTTP.</summary>
    public const string LiteHeader = "X-OpenAI-Internal-Codex-Responses-Lite";

    public static async Task HandleAsync(HttpContext context, SimulatorState state)
    {
        // 1. Who is calling.
        var account = BackendAuth.Authenticate(context, state, out var authFailure);
        if (account is null)
        {
            await authFailure!.ExecuteAsync(context);
            return;
        }

        account.CountResponsesRequest();

        // 2. Is the body acceptable.
        var recorded = context.Recorded();
        var isLite = context.Request.Headers.ContainsKey(LiteHeader);
        var request = ResponsesRequestValidator.Validate(recorded.Json, ResponsesTransport.Http, isLite, state.Options, state.Compactions);
        if (request.Error is not null)
        {
            await JsonResults.Of(request.Error, StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        // 3. What to answer, 4. answer it.
        switch (ResponseTurn.Plan(state, account, request, recorded.BodyText?.Length ?? 0))
        {
            case ErrorAnswer error:
                await WriteErrorAsync(context, state, account, error);
                break;
            case StreamAnswer stream:
                await StreamAsync(context, state, account, stream);
                break;
        }
    }

    private static Task WriteErrorAsync(HttpContext context, SimulatorState state, SimAccount account, ErrorAnswer error)
    {
        if (error.QuotaUsage is { } usage)
        {
            RateLimitHeaders.Apply(context.Response, account, usage, state.Options.ModelsEtag, error.Kind);
        }

        return JsonResults.Of(error.Body, error.Status).ExecuteAsync(context);
    }

    private static async Task StreamAsync(HttpContext context, SimulatorState state, SimAccount account, StreamAnswer answer)
    {
        var response = context.Response;
        SseWriter.PrepareHeaders(response);
        RateLimitHeaders.Apply(response, account, account.GetUsage(), state.Options.ModelsEtag);
        response.Headers["x-request-id"] = Ids.Uuid();
        response.Headers["x-codex-turn-state"] = "sim-" + Ids.Hex(8);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        bool finished;
        try
        {
            // The real backend answers with its headers at once; the events follow as they are made.
            await response.Body.FlushAsync(context.RequestAborted);
            finished = await StreamRunner.RunAsync(answer.Events, answer.Behavior, new SseWriter(response), state.Clock, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (!finished)
        {
            // No response.completed and no clean chunked terminator: the client sees a broken connection.
            context.Abort();
            return;
        }

        if (answer.Completes)
        {
            account.RecordCompletedResponse(answer.OnReserve);
        }
    }
}
