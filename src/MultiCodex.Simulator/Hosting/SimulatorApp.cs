using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MultiCodex.Simulator.Backend;
using MultiCodex.Simulator.OAuth;
using MultiCodex.Simulator.Observability;

namespace MultiCodex.Simulator.Hosting;

/// <summary>Composes the fake: Kestrel on loopback (plain HTTP, plus TLS when asked), request capture, the issuer
/// routes and the backend routes. Built on the empty builder so no ambient configuration (ASPNETCORE_URLS,
/// appsettings) leaks into a test.</summary>
internal static class SimulatorApp
{
    public static WebApplication Build(SimulatorState state, TlsMaterial? tls)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "MultiCodex.Simulator" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var url = new Uri(state.Options.Url);
            ListenOn(kestrel, url.Host, url.Port, _ => { });
            if (tls is not null)
            {
                kestrel.Listen(IPAddress.Loopback, state.Options.TlsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(tls.ServerCertificate);
                });
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(state);
        state.Options.ConfigureLogging?.Invoke(builder.Logging);

        var app = builder.Build();
        app.UseMiddleware<RequestCaptureMiddleware>();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseRouting();
        app.MapOAuth();
        app.MapBackend();
        app.MapFallback(() => JsonResults.Of(BackendErrors.Detail("Not Found"), StatusCodes.Status404NotFound));
        return app;
    }

    private static void ListenOn(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        switch (host)
        {
            case "localhost" or "127.0.0.1":
                kestrel.Listen(IPAddress.Loopback, port, configure);
                break;
            case "0.0.0.0" or "*" or "+" or "[::]":
                kestrel.ListenAnyIP(port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(host.Trim('[', ']')), port, configure);
                break;
        }
    }
}
