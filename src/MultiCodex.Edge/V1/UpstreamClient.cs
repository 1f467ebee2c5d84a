using System.Net;
using System.Net.Http.Headers;
using MultiCodex.Edge.Pool;
using MultiCodex.Pool;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The one pooled connection handler to the ChatGPT backend, configured like YARP's direct forwarder: no proxy,
/// redirects, cookies or decompression. Builds each upstream request with the leased account's credentials and
/// the client's own headers (session ids, turn metadata), minus what must not travel.
/// </summary>
/// <remarks>
/// Client header values arrive here as visible ASCII only: the front door has already dropped every value with
/// non-ASCII or control characters (<see cref="FrontDoor.FrontDoorSecurity"/> says why), so each one can be forwarded as it is.
/// </remarks>
public sealed class UpstreamClient : IUpstreamRoute, IDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "authorization", "content-length", "content-type", "content-encoding", "accept", "accept-encoding", "connection",
        "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "cookie", "expect",
        "x-admin-token", "chatgpt-account-id", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded",
        "x-codex-routing-hint",
        // Trace context stays inside MultiCodex: the upstream sees what a Codex client sends.
        "traceparent", "tracestate", "baggage", "request-id", "correlation-context",
    };

    /// <summary>The headers that say which client is calling: a Codex client's travel, any other client's are replaced by the persona.</summary>
    private static readonly HashSet<string> Identity = new(StringComparer.OrdinalIgnoreCase) { "user-agent", "originator", "version" };

    private readonly HttpMessageInvoker _invoker;

    // "Bearer <token>" per account, made once per token rather than once per request (an access token is ~2 KB).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Token, string Header)> _authorization = new(StringComparer.Ordinal);
    private readonly Uri _responsesUrl;
    private readonly Uri _modelsUrl;

    public UpstreamClient(EdgeOptions options)
    {
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            // No trace headers (and no activity per request): the ChatGPT backend must see what an official Codex
            // client sends. The Edge's calls to Control do carry the trace context.
            ActivityHeadersPropagator = null,
        }, disposeHandler: true);
        var root = options.ChatGptBaseUrl.ToString().TrimEnd('/');
        _responsesUrl = new Uri(root + "/codex/responses");
        _modelsUrl = new Uri(root + "/codex/models?client_version=" + CodexPersona.Version);
    }

    /// <summary>Sends a Responses request; the answer's body is left unread (streamed by the caller).</summary>
    public Task<HttpResponseMessage> SendResponsesAsync(UpstreamRequest request, IHeaderDictionary clientHeaders, AccountLease lease,
        CancellationToken cancellationToken)
    {
        var (body, routingHint) = request.For(lease);
        var message = new HttpRequestMessage(HttpMethod.Post, _responsesUrl)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            Content = new ReadOnlyMemoryContent(body),
        };
        message.Content.Headers.ContentType = JsonContentType;
        CopyClientHeaders(clientHeaders, message);
        AddSession(message, request.SessionId);
        if (routingHint is { } hint)
        {
            message.Headers.TryAddWithoutValidation("x-codex-routing-hint", hint);
        }
        SetCredentials(message, lease);
        message.Headers.Accept.Add(EventStream);
        return _invoker.SendAsync(message, cancellationToken); // an invoker never buffers: the body is left to stream
    }

    Task<HttpResponseMessage> IUpstreamRoute.SendAsync(UpstreamRequest request, IHeaderDictionary clientHeaders, AccountLease lease,
        CancellationToken cancellationToken) => SendResponsesAsync(request, clientHeaders, lease, cancellationToken);

    /// <summary>Asks for the model catalog as the presented Codex CLI version sees it.</summary>
    public Task<HttpResponseMessage> GetModelsAsync(AccountLease lease, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, _modelsUrl);
        AddPersona(message);
        SetCredentials(message, lease);
        message.Headers.Accept.Add(Json);
        return _invoker.SendAsync(message, cancellationToken);
    }

    /// <summary>
    /// The client's headers, the persona, the conversation's <c>session-id</c> (<see cref="UpstreamRequest.SessionId"/>)
    /// and the lease's credentials, on an upstream request built elsewhere (a WebSocket upgrade).
    /// </summary>
    internal void AddHeaders(HttpRequestMessage message, IHeaderDictionary clientHeaders, AccountLease lease, string? sessionId)
    {
        CopyClientHeaders(clientHeaders, message);
        AddSession(message, sessionId);
        SetCredentials(message, lease);
    }

    public void Dispose() => _invoker.Dispose();

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private void SetCredentials(HttpRequestMessage message, AccountLease lease)
    {
        if (!_authorization.TryGetValue(lease.AccountId, out var cached) || !string.Equals(cached.Token, lease.AccessToken, StringComparison.Ordinal))
        {
            _authorization[lease.AccountId] = cached = (lease.AccessToken, "Bearer " + lease.AccessToken);
        }
        message.Headers.TryAddWithoutValidation("Authorization", cached.Header);
        message.Headers.TryAddWithoutValidation("ChatGPT-Account-ID", lease.ChatGptAccountId);
    }

    // A client without session headers: the conversation's key, as the Codex CLI sends it (both, equal).
    private static void AddSession(HttpRequestMessage message, string? session)
    {
        if (session is null)
        {
            return;
        }
        message.Headers.TryAddWithoutValidation("session-id", session);
        if (!message.Headers.Contains("thread-id"))
        {
            message.Headers.TryAddWithoutValidation("thread-id", session);
        }
    }

    private static void AddPersona(HttpRequestMessage message)
    {
        message.Headers.TryAddWithoutValidation("User-Agent", CodexPersona.UserAgent);
        message.Headers.TryAddWithoutValidation("originator", CodexPersona.Originator);
        message.Headers.TryAddWithoutValidation("version", CodexPersona.Version);
    }

    // The client's own headers travel (the Codex CLI's session-id, x-codex-turn-metadata, …) except hop-by-hop ones,
    // its credentials and SDK fingerprints. A Codex client keeps its own identity (user agent and originator); any
    // other client takes on the Codex CLI's persona.
    private static void CopyClientHeaders(IHeaderDictionary headers, HttpRequestMessage message)
    {
        var codexClient = headers.UserAgent.ToString().StartsWith("codex", StringComparison.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (NotForwarded.Contains(name) || name.StartsWith("x-stainless", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-multicodex", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':')
                || (!codexClient && Identity.Contains(name)))
            {
                continue;
            }
            message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
        }
        if (!codexClient)
        {
            AddPersona(message);
        }
        else if (!message.Headers.Contains("originator"))
        {
            message.Headers.TryAddWithoutValidation("originator", CodexPersona.Originator);
        }
    }
}
