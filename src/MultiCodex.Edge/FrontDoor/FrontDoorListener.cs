using MultiCodex.Hosting;

namespace MultiCodex.Edge.FrontDoor;

/// <summary>The one public port: where it listens, which protocols it speaks, and how it stops.</summary>
internal static class FrontDoorListener
{
    public static IWebHostBuilder UseFrontDoorListener(this IWebHostBuilder web, EdgeOptions options)
    {
        web.UseUrls($"http://{options.Host}:{options.Port}");
        web.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // /v1 enforces its own limit on the decompressed body; forwarded routes keep Control's limit.
            k.Limits.MaxRequestBodySize = null;
            // HTTP/1.1 for browsers and most clients, and h2c on the same port so native gRPC clients can use
            // the front door too (forwarded to Control); see CleartextHttp2Sniffer.
            k.AllowAlternateSchemes = true;
            k.ConfigureEndpointDefaults(listen => listen.UseCleartextHttp2Sniffing());
        });
        // SIGTERM: stop taking requests, let streams in flight finish (bounded), then exit.
        return web.UseShutdownTimeout(options.ShutdownDrain);
    }
}
