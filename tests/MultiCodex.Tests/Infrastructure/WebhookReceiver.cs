using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A webhook receiver as a user would run one: a real HTTP server on a free loopback port that records every POST
/// (headers and body), verifies its signature with the webhook's secret the way README tells receivers to, and answers
/// the statuses a test scripts (200 once the script is used up). <see cref="Hold"/> makes it keep requests waiting.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses = new();
    private readonly Channel<Delivery> _received = Channel.CreateUnbounded<Delivery>();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _hold;

    /// <summary>One POST as it arrived.</summary>
    public sealed record Delivery(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;

        public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "";

        /// <summary>Checks <c>X-MultiCodex-Signature: t=…,v1=…</c> against <paramref name="secret"/>: HMAC-SHA256 over "t.body".</summary>
        public bool HasValidSignature(string secret)
        {
            var parts = Header("X-MultiCodex-Signature").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1]);
            if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1))
            {
                return false;
            }
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + Body));
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
        }

        public long SignedAt => long.Parse(Header("X-MultiCodex-Signature").Split(',')[0]["t=".Length..], CultureInfo.InvariantCulture);
    }

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Another address of this receiver, so that one receiver can stand for several webhooks.</summary>
    public Uri UrlFor(string name) => new(Url, "/hooks/" + name);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{**rest}", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = new Uri(ServerAddress.Of(app), "/hooks/multicodex");
        return receiver;
    }

    /// <summary>The next statuses to answer, in order; after them, 200.</summary>
    public void AnswerWith(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    /// <summary>From now on, requests are recorded and then kept waiting (a slow receiver) until <see cref="Release"/>.</summary>
    public void Hold() => _hold = true;

    public void Release() => _release.TrySetResult();

    /// <summary>The next delivery received; fails after <paramref name="timeout"/> (10 s by default).</summary>
    public async Task<Delivery> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>True when a delivery arrived and was not read yet.</summary>
    public bool HasPending => _received.Reader.Count > 0;

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        await _received.Writer.WriteAsync(new Delivery(http.Request.Path, headers, body));
        if (_hold)
        {
            await _release.Task.WaitAsync(http.RequestAborted);
        }
        http.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 200;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
