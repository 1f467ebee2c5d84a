using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MultiCodex.Hosting;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A minimal OpenTelemetry collector: a real HTTP server on a free loopback port that takes OTLP/HTTP in protobuf
/// (<c>POST /v1/traces</c>, <c>POST /v1/metrics</c>, as the .NET exporter sends them with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>) and OTLP/gRPC on the same port (HTTP/2 with prior knowledge,
/// the <c>TraceService</c> and <c>MetricsService</c> <c>Export</c> calls of <c>OTEL_EXPORTER_OTLP_PROTOCOL=grpc</c>),
/// decodes them (<see cref="OtlpProtobuf"/>: a gRPC call carries the same request message as the HTTP body) and
/// keeps what came.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<OtlpMetric> _metrics = [];
    private readonly List<string> _headers = [];
    private readonly List<string> _protocols = [];
    private TaskCompletionSource _arrived = NewSignal();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to (the exporter appends <c>/v1/traces</c> and <c>/v1/metrics</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // One port for both protocols, as a collector's 4317 and 4318 would be: HTTP/2 for gRPC, HTTP/1.1 otherwise.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // h2c requests carry ":scheme http" on what the sniffer made look like a TLS connection.
            kestrel.AllowAlternateSchemes = true;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseCleartextHttp2Sniffing());
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", http => receiver.TakeAsync(http, body => { receiver._spans.AddRange(OtlpProtobuf.DecodeTraces(body)); }));
        app.MapPost("/v1/metrics", http => receiver.TakeAsync(http, body => { receiver._metrics.AddRange(OtlpProtobuf.DecodeMetrics(body)); }));
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
            http => receiver.TakeGrpcAsync(http, body => { receiver._spans.AddRange(OtlpProtobuf.DecodeTraces(body)); }));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            http => receiver.TakeGrpcAsync(http, body => { receiver._metrics.AddRange(OtlpProtobuf.DecodeMetrics(body)); }));
        await app.StartAsync();
        receiver.Endpoint = ServerAddress.Of(app);
        return receiver;
    }

    /// <summary>How each export came: <c>http/protobuf</c> or <c>grpc</c>, in order.</summary>
    public IReadOnlyList<string> Protocols
    {
        get
        {
            lock (_lock)
            {
                return [.. _protocols];
            }
        }
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
        Keep(http, body.ToArray(), decode, "http/protobuf");
        // An empty Export*ServiceResponse: everything accepted.
        http.Response.ContentType = "application/x-protobuf";
    }

    /// <summary>
    /// One unary gRPC call: a length-prefixed message (1 byte "compressed" flag, 4 bytes big-endian length), answered
    /// with an empty Export*ServiceResponse and <c>grpc-status: 0</c> in the trailers (the gRPC-over-HTTP/2 protocol).
    /// </summary>
    private async Task TakeGrpcAsync(HttpContext http, Action<byte[]> decode)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var frame = body.ToArray();
        if (http.Request.Protocol != "HTTP/2" || frame.Length < 5 || frame[0] != 0
            || BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)) != frame.Length - 5)
        {
            // Not what an uncompressing OTLP exporter sends: the test should see it fail, not a silent success.
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Keep(http, frame[5..], decode, "grpc");
        http.Response.ContentType = "application/grpc";
        await http.Response.Body.WriteAsync(new byte[5], http.RequestAborted);
        http.Response.AppendTrailer("grpc-status", "0");
    }

    private void Keep(HttpContext http, byte[] message, Action<byte[]> decode, string protocol)
    {
        TaskCompletionSource arrived;
        lock (_lock)
        {
            decode(message);
            _headers.AddRange(http.Request.Headers.Select(h => $"{h.Key}: {h.Value}"));
            _protocols.Add(protocol);
            arrived = _arrived;
            _arrived = NewSignal();
        }
        arrived.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
