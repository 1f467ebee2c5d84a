using System.Net.Http.Headers;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The client's side of one /v1 request: how its body arrives and how the answer leaves. HTTP with SSE today
/// (<see cref="HttpSseTransport"/>). The WebSocket transport (issue #13) fits the same shape: one instance per
/// <c>response.create</c> frame on a socket (one response at a time, many per connection); it reads the frame as the
/// body, relays each upstream event's JSON as a text frame, answers errors as
/// <c>{"type":"error","status":N,"error":{…}}</c> frames (<see cref="OpenAiErrors.WriteFrame"/>), and sends text
/// keep-alives while <see cref="HoldFirstEvent"/> is in force.
/// </summary>
public interface IClientTransport : IEventSink
{
    /// <summary><c>http</c> or <c>websocket</c>, for the record.</summary>
    string Name { get; }

    /// <summary>The client's request headers (a WebSocket's: its handshake).</summary>
    IHeaderDictionary Headers { get; }

    /// <summary>The client key's name; null while /v1 is open.</summary>
    string? ClientName { get; }

    /// <summary>
    /// Identifies the client key without revealing it (its SHA-256, never logged or sent on); empty while /v1 is open.
    /// What a key's conversations and stored responses are scoped to, so that nothing is shared across keys.
    /// </summary>
    /// <remarks>A transport that knows only the key's name scopes by it, prefixed so it never equals a key's hash.</remarks>
    string ClientKeyId => ClientName is null ? "" : "name:" + ClientName;

    /// <summary>Cancelled when the client goes away.</summary>
    CancellationToken Aborted { get; }

    /// <summary>
    /// Called once as the pipeline begins tracing the request: a transport with headers per answer tells the client
    /// where its time went (HTTP: <c>Server-Timing</c>, <see cref="Observability.ServerTiming"/>). A WebSocket has none
    /// per response, hence the default: nothing.
    /// </summary>
    void Observe(RequestTrace trace)
    {
    }

    /// <summary>Step 1: the request body, decompressed and within <paramref name="maxBytes"/>, or the error for the client.</summary>
    ValueTask<(PooledBuffer? Body, ClientError? Error)> ReadBodyAsync(long maxBytes);

    /// <summary>While MultiCodex holds the first event back (choosing an account, failing over): what keeps the client waiting patiently.</summary>
    IDisposable HoldFirstEvent();

    /// <summary>Names the account that served the answer, why, and the attempts before it, when the client asked (<c>x-multicodex-explain</c>).</summary>
    void Explain(string account, string reason, string attempts);

    /// <summary>Answers with an error, before anything else was sent.</summary>
    ValueTask AnswerErrorAsync(ClientError error);

    /// <summary>Answers with one JSON object (a client that does not stream), with the upstream's headers a client may read.</summary>
    ValueTask AnswerJsonAsync(HttpResponseHeaders? upstreamHeaders, ReadOnlyMemory<byte> json);

    /// <summary>Begins a streamed answer, with the upstream's headers a client may read.</summary>
    void StartStream(HttpResponseHeaders upstreamHeaders);

    /// <summary>Passes one upstream event on as it came.</summary>
    void Relay(in SseEvent e);

    /// <summary>Sends what was written so far; writers call it when the next event is not here yet.</summary>
    ValueTask FlushAsync();

    /// <summary>Ends the answer, so the client has all of it before the Edge records the request.</summary>
    ValueTask CompleteAsync();
}
