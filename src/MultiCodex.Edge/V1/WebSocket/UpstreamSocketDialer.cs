using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using MultiCodex.Edge.Pool;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>How an upgrade to the upstream went: an open socket, or the upstream's HTTP answer (body unread).</summary>
internal readonly record struct Dialed(UpstreamSocket? Socket, HttpResponseMessage? Refusal);

/// <summary>
/// Opens WebSockets to <c>{CHATGPT_BASE_URL}/codex/responses</c> with the headers an official client sends
/// (docs/websocket.md, "The upstream socket"): the client's own (session ids, turn metadata, its originator) as on
/// HTTP, the leased account's credentials, <c>OpenAI-Beta: responses_websockets=2026-02-06</c> and the routing
/// hint. The upgrade is an HTTP/1.1 request of its own (not <see cref="ClientWebSocket"/>) so that a refusal keeps
/// its body — a quota answer must say which quota — and goes through the same classification as an HTTP answer.
/// No compression upstream: it saves the Edge's CPU and the upstream does not need it (docs/websocket.md).
/// </summary>
internal sealed partial class UpstreamSocketDialer : IDisposable
{
    /// <summary>The beta value of the current protocol (<c>response.create</c> frames).</summary>
    public const string BetaValue = "responses_websockets=2026-02-06";

    /// <summary>How long the Edge stops trying the upstream's WebSocket after it refused one (426: it does not speak it).</summary>
    private static readonly TimeSpan RefusedFor = TimeSpan.FromMinutes(10);

    // Codex's own settings: a ping every 30 s, and a socket whose pong does not come within 30 s is dead.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> HandshakeHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "openai-beta",
    };

    private readonly HttpMessageInvoker _invoker;
    private readonly UpstreamClient _upstream;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _url;
    private long _refusedUntil; // UTC ticks

    public UpstreamSocketDialer(EdgeOptions options, UpstreamClient upstream, TimeProvider time, ILogger<UpstreamSocketDialer> logger)
    {
        _upstream = upstream;
        _time = time;
        _logger = logger;
        _url = new Uri(options.ChatGptBaseUrl.ToString().TrimEnd('/') + "/codex/responses");
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ActivityHeadersPropagator = null, // no trace headers upstream, as on HTTP (UpstreamClient)
        }, disposeHandler: true);
    }

    /// <summary>True while the upstream is known not to take WebSockets: client sockets are then served over HTTP.</summary>
    public bool UpstreamRefusesSockets => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _refusedUntil);

    /// <summary>
    /// Opens a socket for <paramref name="lease"/>; a refusal that says the upstream has no WebSocket is remembered.
    /// <paramref name="sessionId"/> is the conversation's <c>session-id</c> for a client that sent none (as on HTTP).
    /// </summary>
    /// <exception cref="HttpRequestException">The upstream could not be reached.</exception>
    public async Task<Dialed> DialAsync(IHeaderDictionary clientHeaders, AccountLease lease, string? routingHint, string? sessionId, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Get, _url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        _upstream.AddHeaders(request, clientHeaders, lease, sessionId);
        foreach (var name in HandshakeHeaders)
        {
            request.Headers.Remove(name);
        }
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        request.Headers.TryAddWithoutValidation("OpenAI-Beta", Beta(clientHeaders["OpenAI-Beta"].ToString()));
        if (routingHint is not null)
        {
            request.Headers.TryAddWithoutValidation("x-codex-routing-hint", routingHint);
        }
        var response = await _invoker.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            if (await SaysNoWebSocketAsync(response, cancellationToken))
            {
                Interlocked.Exchange(ref _refusedUntil, (_time.GetUtcNow() + RefusedFor).UtcTicks);
                Log.Refused(_logger, (int)response.StatusCode, RefusedFor.TotalMinutes);
            }
            return new Dialed(null, response);
        }
        if (!response.Headers.TryGetValues("Sec-WebSocket-Accept", out var accept) || accept.FirstOrDefault() != AcceptFor(key))
        {
            response.Dispose();
            throw new HttpRequestException("The upstream's WebSocket upgrade answer has a wrong Sec-WebSocket-Accept.");
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var socket = System.Net.WebSockets.WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = false,
            KeepAliveInterval = KeepAlive,
            KeepAliveTimeout = KeepAlive,
        });
        return new Dialed(new UpstreamSocket(socket, lease.AccountId, lease.AccountEmail, lease.AccessToken, _time.GetTimestamp()), null);
    }

    public void Dispose() => _invoker.Dispose();

    // The upstream does not take WebSockets: 426 (the answer that sends the Codex CLI to HTTP at once), or 404/405
    // without a quota body (a path or method it does not serve). The body is buffered so the caller can still read it.
    private static async Task<bool> SaysNoWebSocketAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status == 426)
        {
            return true;
        }
        if (status is not (404 or 405))
        {
            return false;
        }
        await response.Content.LoadIntoBufferAsync(64 * 1024, cancellationToken);
        var error = Protocol.UpstreamError.FromHttpBody(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return !MultiCodex.Pool.QuotaSignals.IsQuota(status, error.CodeOrType, error.Message);
    }

    // The client's beta values, without the HTTP-only `responses=experimental` and with the current WebSocket one.
    private static string Beta(string client)
    {
        var values = client.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(v => !v.StartsWith("responses=", StringComparison.Ordinal) && !v.StartsWith("responses_websockets=", StringComparison.Ordinal))
            .Append(BetaValue);
        return string.Join(", ", values);
    }

    // RFC 6455 §4.2.2: base64(SHA-1(key + the protocol's GUID)).
    private static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private static partial class Log
    {
        [LoggerMessage(2501, LogLevel.Warning, "The upstream refused the Responses WebSocket (HTTP {Status}): WebSocket clients are served over upstream HTTP for {Minutes} minutes")]
        public static partial void Refused(ILogger logger, int status, double minutes);
    }
}
