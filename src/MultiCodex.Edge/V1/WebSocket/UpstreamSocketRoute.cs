using System.Net;
using System.Net.WebSockets;
using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// Where one client socket's requests go upstream, one attempt at a time (step 3 calls <see cref="SendAsync"/> for
/// each account it tries). The client socket is bound to one upstream socket on one account (docs/websocket.md,
/// "Continuations and failover"):
/// <list type="number">
/// <item>A continuation of the bound socket's latest response goes on it as the client sent it — the fast path.</item>
/// <item>Any other attempt — another account (a failover, the pool's choice), a refreshed token, a socket past
/// <c>RESPONSES_WEBSOCKET_MAX_AGE_SECONDS</c> (rotated here, at a response boundary), a socket the upstream closed —
/// gets a new socket and a full frame rebuilt from the <see cref="Transcript"/>: a continuation never moves, it is
/// replaced by the whole conversation. Without the transcript the client is asked to resend it
/// (<c>previous_response_not_found</c>, which the Codex CLI answers with a full request).</item>
/// <item>When the upstream answers a continuation with <c>previous_response_not_found</c> or
/// <c>websocket_connection_limit_reached</c>, the same rebuild is tried once on a new socket before the client hears of it.</item>
/// <item>When the upstream does not take WebSockets (<see cref="UpstreamSocketDialer.UpstreamRefusesSockets"/>), the
/// client socket is served over upstream HTTP: warmups answered here, every request sent in full.</item>
/// </list>
/// </summary>
internal sealed partial class UpstreamSocketRoute(
    UpstreamSocketDialer dialer, UpstreamClient http, EdgeOptions options, TimeProvider time, WebSocketMetrics metrics, ILogger logger,
    Transcript transcript, IHeaderDictionary httpHeaders) : IUpstreamRoute, IAsyncDisposable
{
    private UpstreamSocket? _socket;
    private string _opening = "first"; // why the next socket opens, for the metrics

    /// <summary>The account of the latest attempt, for the live-session list; null before the first.</summary>
    public string? AccountEmail { get; private set; }

    /// <summary><c>websocket</c> while requests go over an upstream socket, <c>http</c> once served over upstream HTTP.</summary>
    public string UpstreamTransport { get; private set; } = "websocket";

    /// <summary>The account whose response last handed out a turn state; the state is not sent to any other account.</summary>
    public string? TurnStateAccount { get; set; }

    /// <summary>True while an upstream socket is bound (and not known to be closed).</summary>
    public bool HasSocket => _socket is { IsOpen: true };

    /// <summary>The account of the latest attempt (its id).</summary>
    public string? AccountId { get; private set; }

    public async Task<HttpResponseMessage> SendAsync(UpstreamRequest request, IHeaderDictionary clientHeaders, AccountLease lease, CancellationToken cancellationToken)
    {
        var call = (SocketRequest)request;
        var frame = call.Frame;
        (AccountId, AccountEmail) = (lease.AccountId, lease.AccountEmail);
        var dropTurnState = frame.HasTurnState && TurnStateAccount is { } issuer && issuer != lease.AccountId;
        if (dialer.UpstreamRefusesSockets)
        {
            return await SendOverHttpAsync(call, lease, dropTurnState, cancellationToken);
        }
        for (var replaced = false; ; replaced = true)
        {
            var socket = Usable(lease);
            var continues = socket is not null && frame.PreviousResponseId is { } previous && previous == socket.LastResponseId;
            var prior = ReadOnlyMemory<byte>.Empty;
            if (!continues && !transcript.TryPrior(frame, out prior))
            {
                return PreviousResponseNotFound(frame.PreviousResponseId!);
            }
            if (!continues && frame.PreviousResponseId is not null)
            {
                metrics.ContinuationRebuilt();
                if (socket is not null)
                {
                    // A rebuilt conversation goes on a fresh socket: one that has seen its items may refuse them
                    // again as duplicates (earendil-works/pi#5162).
                    Forget("rebuilt");
                    socket = null;
                }
            }
            var reused = socket is not null;
            if (socket is null)
            {
                var (_, hint) = request.For(lease);
                var dialed = await dialer.DialAsync(clientHeaders, lease, hint, request.SessionId, cancellationToken);
                if (dialed.Socket is null)
                {
                    if (!dialer.UpstreamRefusesSockets)
                    {
                        return dialed.Refusal!;
                    }
                    dialed.Refusal!.Dispose();
                    return await SendOverHttpAsync(call, lease, dropTurnState, cancellationToken);
                }
                _socket = socket = dialed.Socket;
                metrics.UpstreamSocketOpened(_opening);
                Log.Opened(logger, lease.AccountEmail, _opening);
            }
            var body = call.FrameFor(lease, continues ? frame.PreviousResponseId : null, prior.Span, dropTurnState);
            HttpResponseMessage? answer;
            try
            {
                socket.DiscardStale();
                socket.Busy = true;
                await socket.SendAsync(body, cancellationToken);
                answer = await UpstreamSocketAnswer.ReadAsync(socket, cancellationToken);
            }
            catch (Exception e) when (!replaced && reused && e is WebSocketException or IOException)
            {
                Forget("lost");
                continue; // the upstream dropped the idle socket just now: once more on a new one
            }
            catch
            {
                Forget("lost"); // a socket in an unknown state is never used again
                throw;
            }
            if (answer is null)
            {
                Forget("lost");
                if (!replaced && reused)
                {
                    continue;
                }
                throw new IOException("The upstream closed its WebSocket before answering.");
            }
            if (!replaced && await LostItsContinuationAsync(answer, cancellationToken))
            {
                answer.Dispose();
                Forget("lost");
                continue;
            }
            return answer;
        }
    }

    /// <summary>Forwards a <c>response.interrupt</c> to the socket running the response; false when none runs there.</summary>
    public async Task<bool> InterruptAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (_socket is not { Busy: true, IsOpen: true } socket)
        {
            return false;
        }
        try
        {
            await socket.SendAsync(frame, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is { } socket)
        {
            _socket = null;
            await socket.DisposeAsync();
        }
    }

    // The bound socket if it can carry an attempt for this lease; else it is closed, and the reason noted for the next one.
    private UpstreamSocket? Usable(AccountLease lease)
    {
        if (_socket is not { } socket)
        {
            return null;
        }
        var reason = !socket.IsOpen ? "lost"
            : socket.AccountId != lease.AccountId ? "moved"
            : socket.AccessToken != lease.AccessToken ? "token"
            : time.GetElapsedTime(socket.OpenedAt) >= options.UpstreamSocketMaxAge ? "rotated"
            : null;
        if (reason is null)
        {
            return socket;
        }
        Forget(reason);
        return null;
    }

    private void Forget(string reason)
    {
        if (_socket is { } socket)
        {
            _socket = null;
            _opening = reason;
            socket.Busy = false;
            _ = socket.DisposeAsync().AsTask(); // a close frame when idle, bounded; nobody waits for it
        }
    }

    // The answer says the socket no longer holds what the frame continued (or is too old to take anything): a new
    // socket with the full conversation can still serve the request, when the transcript has it.
    private async Task<bool> LostItsContinuationAsync(HttpResponseMessage answer, CancellationToken cancellationToken)
    {
        if (answer.StatusCode != HttpStatusCode.BadRequest)
        {
            return false;
        }
        var error = UpstreamError.FromHttpBody(await answer.Content.ReadAsByteArrayAsync(cancellationToken));
        return error.Code is "previous_response_not_found" or "websocket_connection_limit_reached"
            || (error.Param == "previous_response_id" && error.Code is null);
    }

    private async Task<HttpResponseMessage> SendOverHttpAsync(SocketRequest call, AccountLease lease, bool dropTurnState, CancellationToken cancellationToken)
    {
        UpstreamTransport = "http";
        if (_socket is not null)
        {
            Forget("http");
        }
        var frame = call.Frame;
        if (frame.IsWarmup)
        {
            return LocalAnswers.Warmup(call.Model, time);
        }
        if (!transcript.TryPrior(frame, out var prior))
        {
            return PreviousResponseNotFound(frame.PreviousResponseId!);
        }
        using var sent = call.ForHttp(prior.Span, dropTurnState);
        return await http.SendResponsesAsync(sent, httpHeaders, lease, cancellationToken);
    }

    // Rule 4(b): the conversation cannot move without its items, so the client is asked for them — the upstream's own
    // words for it (CPA#4524), on which the Codex CLI sends the whole history on a new socket.
    private HttpResponseMessage PreviousResponseNotFound(string id)
    {
        metrics.HistoryAskedFor();
        using var body = OpenAiErrors.Body(ClientError.InvalidRequest($"Previous response with id '{id}' not found.", "previous_response_id", "previous_response_not_found"));
        return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new ByteArrayContent(body.Span.ToArray()) };
    }

    private static partial class Log
    {
        [LoggerMessage(2502, LogLevel.Debug, "Opened an upstream WebSocket for {Account} ({Reason})")]
        public static partial void Opened(ILogger logger, string account, string reason);
    }
}
