using MultiCodex.Hosting;

namespace MultiCodex.Control.Infrastructure;

internal static class ControlListener
{
    /// <summary>
    /// One cleartext port for HTTP/2 (native gRPC from the Edge and automation, everything the Edge forwards) and
    /// HTTP/1.1 (curl, Prometheus' /metrics, health probes); docs/toolchain-notes.md says why a sniffer does it.
    /// </summary>
    public static IWebHostBuilder UseControlListener(this IWebHostBuilder web, ControlOptions options)
    {
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            // h2c requests carry ":scheme http" on what the sniffer made look like a TLS connection.
            kestrel.AllowAlternateSchemes = true;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseCleartextHttp2Sniffing());
        });
        return web.UseUrls(options.ListenUrl);
    }
}
