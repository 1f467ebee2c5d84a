using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace MultiCodex.Hosting;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 (curl, Prometheus, the Edge's forwarded REST) and HTTP/2 with prior
/// knowledge (native gRPC), which Kestrel does not do by itself without TLS (toolchain.md §3, option C). It peeks
/// at the first bytes of a connection without consuming them: the HTTP/2 preface makes Kestrel pick HTTP/2 as
/// if TLS had negotiated "h2"; anything else stays HTTP/1.1. Used by Control and the Edge; pinned by regression tests.
/// </summary>
public static class CleartextHttp2Sniffer
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static void UseCleartextHttp2Sniffing(this ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.Use(next => async connection =>
        {
            bool http2;
            try
            {
                http2 = await StartsWithPrefaceAsync(connection);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return; // the client closed or reset the connection before sending anything: nothing to serve, nothing to report
            }
            if (http2)
            {
                connection.Features.Set<ITlsConnectionFeature>(new CleartextTls());
                connection.Features.Set<ITlsApplicationProtocolFeature>(new Http2Negotiated());
            }
            await next(connection);
        });
    }

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed);
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
