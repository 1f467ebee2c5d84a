using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace MultiCodex.Bench.Upstream;

/// <summary>
/// <c>MultiCodex.Bench upstream</c>: the fake ChatGPT backend as its own process on a free loopback port, so its CPU
/// is neither the harness's nor a proxy's. Prints <c>bench-upstream listening on URL</c> once it listens.
/// </summary>
internal static class FakeUpstream
{
    public const string ListeningPrefix = "bench-upstream listening on ";

    public static async Task<int> RunAsync(ArgReader args)
    {
        var settings = new UpstreamSettings(
            BenchAccounts.Load(args.Text("--accounts")),
            TimeSpan.FromMilliseconds(args.Number("--long-interval-ms", 1000)),
            args.Number("--long-deltas", 20),
            args.Flag("--record-bodies"));
        var handler = new UpstreamHandler(settings, DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 256 * 1024 * 1024;
        });
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Console.WriteLine(ListeningPrefix + address);
        await app.WaitForShutdownAsync();
        return 0;
    }
}
