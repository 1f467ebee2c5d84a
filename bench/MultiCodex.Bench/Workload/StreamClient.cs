using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace MultiCodex.Bench.Workload;

/// <summary>One answer as the client saw it, with its timings in milliseconds from the moment the request was sent.</summary>
/// <param name="FirstByteMs">Until the response headers had arrived (time to first byte).</param>
/// <param name="FirstBodyMs">Until the first bytes of the body (the first event, for a stream).</param>
/// <param name="FullMs">Until the body had ended.</param>
internal sealed record HttpExchange(int Status, string? ContentType, byte[] Body, double FirstByteMs, double FirstBodyMs, double FullMs, string? Failure)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// The harness's own HTTP/1.1 client, for what wrk cannot tell: time to first byte, checked answers, thousands of
/// concurrent long streams. One pooled handler, no proxy, cookies, redirects or decompression.
/// </summary>
internal sealed class StreamClient : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    }, disposeHandler: true);

    /// <summary>
    /// Sends one request and reads the whole answer; a failure is reported in the result, never thrown.
    /// <paramref name="onFirstByte"/> runs once: when the headers arrive, or when the request fails before.
    /// </summary>
    public async Task<HttpExchange> SendAsync(Route route, byte[] body, Action? onFirstByte = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route.Url) { Version = HttpVersion.Version11, Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in route.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var clock = Stopwatch.StartNew();
        double firstByte = 0, firstBody = 0;
        var status = 0;
        string? contentType = null;
        var received = new MemoryStream();
        var signalled = false;
        void Signal()
        {
            if (!signalled)
            {
                signalled = true;
                onFirstByte?.Invoke();
            }
        }
        try
        {
            using var response = await _invoker.SendAsync(request, cancellationToken);
            firstByte = clock.Elapsed.TotalMilliseconds;
            Signal();
            status = (int)response.StatusCode;
            contentType = response.Content.Headers.ContentType?.ToString();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (received.Length == 0)
                {
                    firstBody = clock.Elapsed.TotalMilliseconds;
                }
                received.Write(buffer, 0, read);
            }
            return new HttpExchange(status, contentType, received.ToArray(), firstByte, firstBody, clock.Elapsed.TotalMilliseconds, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            Signal();
            return new HttpExchange(status, contentType, received.ToArray(), firstByte, firstBody, clock.Elapsed.TotalMilliseconds,
                $"{e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose() => _invoker.Dispose();
}
