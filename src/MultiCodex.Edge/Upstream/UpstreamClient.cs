using System.Net;
using System.Net.Http.Headers;

namespace MultiCodex.Edge.Upstream;

/// <summary>
/// The one pooled connection handler to the ChatGPT backend, configured like YARP's direct forwarder: no proxy,
/// redirects, cookies or decompression. Builds each upstream request with the leased account's credentials and
/// the client's own headers (session ids, turn metadata), minus what must not travel.
/// </summary>
public sealed class UpstreamClient : IDisposable
{
    /// <summary>The persona of the Codex CLI, for clients that are not it (the upstream expects Codex clients).</summary>
    public const string CodexUserAgent = "codex_cli_rs/0.169.0 (MultiCodex)";

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "authorization", "content-length", "content-type", "content-encoding", "accept", "accept-encoding", "connection",
        "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "cookie", "expect",
        "x-admin-token", "chatgpt-account-id", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded",
    };

    private readonly HttpMessageInvoker _invoker;
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
        }, disposeHandler: true);
        var root = options.ChatGptBaseUrl.ToString().TrimEnd('/');
        _responsesUrl = new Uri(root + "/codex/responses");
        _modelsUrl = new Uri(root + "/codex/models?client_version=0.169.0");
    }

    /// <summary>Sends a Responses request; the answer's body is left unread (streamed by the caller).</summary>
    public Task<HttpResponseMessage> SendResponsesAsync(byte[] body, IHeaderDictionary clientHeaders, string accessToken, string chatGptAccountId,
        CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _responsesUrl)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        CopyClientHeaders(clientHeaders, request);
        SetCredentials(request, accessToken, chatGptAccountId);
        request.Headers.Accept.ParseAdd("text/event-stream");
        return _invoker.SendAsync(request, cancellationToken);
    }

    public Task<HttpResponseMessage> GetModelsAsync(string accessToken, string chatGptAccountId, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _modelsUrl);
        request.Headers.TryAddWithoutValidation("User-Agent", CodexUserAgent);
        request.Headers.TryAddWithoutValidation("originator", "codex_cli_rs");
        SetCredentials(request, accessToken, chatGptAccountId);
        request.Headers.Accept.ParseAdd("application/json");
        return _invoker.SendAsync(request, cancellationToken);
    }

    public void Dispose() => _invoker.Dispose();

    private static void SetCredentials(HttpRequestMessage request, string accessToken, string chatGptAccountId)
    {
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + accessToken);
        request.Headers.TryAddWithoutValidation("ChatGPT-Account-ID", chatGptAccountId);
    }

    // The client's own headers travel (the Codex CLI's session-id, x-codex-turn-metadata, …) except hop-by-hop
    // ones, its credentials, and SDK fingerprints; non-Codex clients take on the Codex CLI's persona.
    private static void CopyClientHeaders(IHeaderDictionary headers, HttpRequestMessage request)
    {
        var hasCodexAgent = false;
        foreach (var (name, value) in headers)
        {
            if (NotForwarded.Contains(name) || name.StartsWith("x-stainless", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-multicodex", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':'))
            {
                continue;
            }
            if (name.Equals("user-agent", StringComparison.OrdinalIgnoreCase))
            {
                if (!value.ToString().StartsWith("codex", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                hasCodexAgent = true;
            }
            request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
        }
        if (!hasCodexAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", CodexUserAgent);
        }
        if (!request.Headers.Contains("originator"))
        {
            request.Headers.TryAddWithoutValidation("originator", "codex_cli_rs");
        }
    }
}
