using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The /v1 pipeline: every model call, of every dialect and transport, takes the same five steps, in this order.
/// <list type="number">
/// <item><b>read</b> — the transport reads the body, decompressed and within the size limit (<see cref="IClientTransport.ReadBodyAsync"/>, <see cref="ClientBodyReader"/>).</item>
/// <item><b>translate</b> — the dialect checks it and builds the upstream request (<see cref="IDialect{TRequest}.TranslateAsync"/>:
/// <see cref="ResponsesDialect"/>, <see cref="ChatDialect"/>); then <b>admit</b> — the client key's limits (<see cref="KeyAdmission"/>).</item>
/// <item><b>dispatch</b> — accounts are leased and tried until a stream proves healthy, before any byte reaches the client (<see cref="Dispatcher"/>).</item>
/// <item><b>answer</b> — the dialect relays, translates or aggregates the stream through the transport (<see cref="IDialect{TRequest}.AnswerAsync"/>).</item>
/// <item><b>record</b> — the served attempt's lease ends (<see cref="AttemptScope"/>) and the answer is recorded (<see cref="RequestRecorder"/>).</item>
/// </list>
/// </summary>
public sealed class V1Pipeline(Dispatcher dispatcher, RequestRecorder recorder, KeyAdmission admission, EdgeOptions options, TimeProvider time)
{
    /// <summary>How long the Edge reads on after the terminal event, so the upstream connection can be reused.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);

    public async Task RunAsync<TRequest>(IDialect<TRequest> dialect, IClientTransport client) where TRequest : UpstreamRequest
    {
        var trace = new RequestTrace(dialect.Endpoint, client.Name, client.ClientName, time);
        client.Observe(trace);
        UpstreamStream? upstream = null;
        KeyPass? pass = null;
        try
        {
            // 1. read
            var (body, unreadable) = await client.ReadBodyAsync(options.MaxRequestBodyBytes);
            if (body is null)
            {
                await AnswerErrorAsync(client, trace, unreadable!);
                return;
            }

            // 2. translate
            Translation<TRequest> translation;
            using (body)
            {
                translation = await dialect.TranslateAsync(body.Memory, client, client.Aborted);
            }
            if (translation.Request is not { } request)
            {
                await AnswerErrorAsync(client, trace, ClientBodyReader.NameEncoding(translation.Error!, client.Headers));
                return;
            }
            using (request)
            {
                trace.Model = request.Model;

                // 2b. admit
                pass = admission.Admit(client, trace, request.Model);
                if (pass.Refusal is { } refused)
                {
                    await AnswerErrorAsync(client, trace, refused);
                    return;
                }

                // 3. dispatch
                var dispatch = await dispatcher.DispatchAsync(request, client, trace);
                (trace.Served, upstream) = (dispatch.Attempt, dispatch.Stream);
                Explain(client, trace, dispatch.Error);
                if (dispatch.Error is { } failure)
                {
                    await AnswerErrorAsync(client, trace, failure);
                    return;
                }

                // 4. answer
                var answer = await dialect.AnswerAsync(request, upstream!, client);
                trace.Answered(answer.Status, answer.ErrorCode);
                // The client may already hold the whole answer: a key limited to one request at a time must admit
                // the next one it sends at once, so the slot frees now, not after the bookkeeping below.
                pass.FreeSlot();
                await client.CompleteAsync();
                await upstream!.DrainAsync(DrainLimit);
            }
        }
        catch (Exception e) when (ClientWentAway(e, client))
        {
            trace.Answered(StatusCodes.Status499ClientClosedRequest, "client_closed_request");
        }
        catch
        {
            trace.Answered(StatusCodes.Status500InternalServerError, "internal_error");
            throw;
        }
        finally
        {
            // 5. record
            if (upstream is not null)
            {
                trace.Usage = upstream.Terminal?.Usage ?? default;
                await trace.Served!.CompleteAsync(AttemptEnd.Of(upstream, clientGone: trace.Status == StatusCodes.Status499ClientClosedRequest));
                await upstream.DisposeAsync();
            }
            recorder.Record(trace);
            pass?.Dispose();
        }
    }

    /// <summary>
    /// True when <paramref name="e"/> is how a client's leaving surfaced: a cancelled wait, a write to a closed
    /// connection, an upstream read cut off with it, or a call to Control cancelled with it. A 499, never an error.
    /// </summary>
    public static bool ClientWentAway(Exception e, IClientTransport client) =>
        e is OperationCanceledException or IOException or HttpRequestException or Grpc.Core.RpcException && client.Aborted.IsCancellationRequested;

    private static async Task AnswerErrorAsync(IClientTransport client, RequestTrace trace, ClientError error)
    {
        trace.Answered(error.Status, error.Code);
        await client.AnswerErrorAsync(error);
    }

    // x-multicodex-explain: which account served the answer and why, and every attempt before it.
    private static void Explain(IClientTransport client, RequestTrace trace, ClientError? failure)
    {
        if (trace.AttemptCount > 0)
        {
            client.Explain(trace.Served?.Lease.AccountEmail ?? "-", trace.Served?.Lease.Explanation ?? failure?.Message ?? "-", trace.Chain(" -> "));
        }
    }
}
