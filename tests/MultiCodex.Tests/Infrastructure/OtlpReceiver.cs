using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A minimal OpenTelemetry collector: a real HTTP server on a free loopback port that takes OTLP/HTTP in protobuf
/// (<c>POST /v1/traces</c>, <c>POST /v1/metrics</c>, as the .NET exporter sends them with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>), decodes them (<see cref="OtlpProtobuf"/>) and keeps what came.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<OtlpMetric> _metrics = [];
    private readonly List<string> _headers = [];
    private TaskCompletionSource _arrived = NewSignal();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to (the exporter appends <c>/v1/traces</c> and <c>/v1/metrics</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", http => receiver.TakeAsync(http, body => { receiver._spans.AddRange(OtlpProtobuf.DecodeTraces(body)); }));
        app.MapPost("/v1/metrics", http => receiver.TakeAsync(http, body => { receiver._metrics.AddRange(OtlpProtobuf.DecodeMetrics(body)); }));
        await app.StartAsync();
        receiver.Endpoint = ServerAddress.Of(app);
        return receiver;
    }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Every metric received so far (one entry per metric per export).</summary>
    public IReadOnlyList<OtlpMetric> Metrics
    {
        get
        {
            lock (_lock)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>The request headers of every export (name: value), e.g. to check <c>OTEL_EXPORTER_OTLP_HEADERS</c>.</summary>
    public IReadOnlyList<string> Headers
    {
        get
        {
            lock (_lock)
            {
                return [.. _headers];
            }
        }
    }

    /// <summary>
    /// Waits until what was received satisfies <paramref name="done"/>, re-checking on every export; fails with
    /// <paramref name="what"/> and what came after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForAsync(Func<OtlpReceiver, bool> done, string what, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_lock)
            {
                next = _arrived.Task;
            }
            if (done(this))
            {
                return;
            }
            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for {what}; received spans: {string.Join("; ", Spans)}; metrics: {string.Join(", ", Metrics.Select(m => m.Name).Distinct())}");
            }
        }
    }

    private async Task TakeAsync(HttpContext http, Action<byte[]> decode)
    {
        using var body = new MemoryStream();
        var source = http.Request.Headers.ContentEncoding == "gzip" ? new GZipStream(http.Request.Body, CompressionMode.Decompress) : http.Request.Body;
        await using (source)
        {
            await source.CopyToAsync(body, http.RequestAborted);
        }
        if (http.Request.ContentType != "application/x-protobuf")
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        TaskCompletionSource arrived;
        lock (_lock)
        {
            decode(body.ToArray());
            _headers.AddRange(http.Request.Headers.Select(h => $"{h.Key}: {h.Value}"));
            arrived = _arrived;
            _arrived = NewSignal();
        }
        arrived.TrySetResult();
        // An empty Export*ServiceResponse: everything accepted.
        http.Response.ContentType = "application/x-protobuf";
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
