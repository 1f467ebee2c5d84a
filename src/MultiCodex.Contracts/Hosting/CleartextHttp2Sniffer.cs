using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace MultiCodex.Hosting;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 (curl, Prometheus, the Edge's forwarded REST) and HTTP/2 with prior
/// knowledge (native gRPC), which Kestrel does not do by itself without TLS (docs/toolchain-notes.md §1). It peeks
/// at the first bytes of a connection without consuming them: the HTTP/2 preface makes Kestrel pick HTTP/2 as
/// if TLS had negotiated "h2"; anything else stays HTTP/1.1. Used by Control and the Edge; pinned by regression tests.
/// A connection that closes before it decides is dropped quietly (it is no error), and one that stays silent is closed
/// after Kestrel's own request-headers timeout, which does not run yet while we wait.
/// </summary>
public static class CleartextHttp2Sniffer
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static void UseCleartextHttp2Sniffing(this ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        var limits = listen.KestrelServerOptions.Limits;
        listen.Use(next => connection => SniffAsync(connection, next, limits.RequestHeadersTimeout));
    }

    private static async Task SniffAsync(ConnectionContext connection, ConnectionDelegate next, TimeSpan silenceLimit)
    {
        bool? preface;
        // On the system clock, as Kestrel's own connection timeouts are.
        using (var silence = new CancellationTokenSource(silenceLimit))
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(silence.Token, connection.ConnectionClosed))
        {
            preface = await StartsWithPrefaceAsync(connection, stop.Token);
        }
        if (preface is null)
        {
            connection.Abort();
            return;
        }
        if (preface.Value)
        {
            connection.Features.Set<ITlsConnectionFeature>(new CleartextTls());
            connection.Features.Set<ITlsApplicationProtocolFeature>(new Http2Negotiated());
        }
        await next(connection);
    }

    // True: the HTTP/2 preface; false: anything else; null: the connection closed or stayed silent before deciding.
    private static async Task<bool?> StartsWithPrefaceAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return null; // closed, reset or silent: nothing to serve, nothing to log
            }
            if (result.IsCanceled || (result.IsCompleted && result.Buffer.IsEmpty))
            {
                input.AdvanceTo(result.Buffer.Start);
                return null;
            }
            var buffer = result.Buffer;
            var (matches, length) = Compare(buffer);
            if (!matches || length == Preface.Length || result.IsCompleted)
            {
                // Decided: leave every byte for Kestrel's own parser.
                input.AdvanceTo(buffer.Start);
                return matches && length == Preface.Length;
            }
            // A strict prefix of the preface so far: wait for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (bool Matches, int Length) Compare(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        return (head[..length].SequenceEqual(Preface.AsSpan(0, length)), length);
    }

    private sealed class CleartextTls : ITlsConnectionFeature
    {
        public X509Certificate2? ClientCertificate { get; set; }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }

    private sealed class Http2Negotiated : ITlsApplicationProtocolFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();
    }
}
