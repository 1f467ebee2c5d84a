using MultiCodex.Hosting;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// Which Host names the front door and Control answer (DNS rebinding): loopback names always, ALLOWED_HOSTS on top;
/// beyond loopback without ALLOWED_HOSTS every name, so nobody browsing http://server:4010 is locked out.
/// </summary>
public sealed class HostNameTests
{
    [Fact]
    public async Task AllowedHosts_AddsNames_AndEveryOtherNameIs400_WhileTheEdgeStillReachesControl()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { [HostNames.AllowedHostsVariable] = "mcx.example.com, *.lan.example" };
        await using var control = await ControlHost.StartAsync(data.Path, Stack.AdminToken, settings);
        await using var edge = await EdgeHost.StartAsync(control.Url, Stack.AdminToken, settings: settings);
        var port = edge.Url.Port;

        var statuses = new Dictionary<string, int>();
        foreach (var host in new[] { "mcx.example.com", "box.lan.example", "localhost", "127.0.0.1", "[::1]", "evil.example", "mcx.example.com.evil.example" })
        {
            var answer = await RawHttp.SendAsync(edge.Url, Raw.Request("GET", "/admin/accounts", [$"x-admin-token: {Stack.AdminToken}"], null, $"{host}:{port}"));
            statuses[host] = answer.Status;
        }

        Assert.Equal(200, statuses["mcx.example.com"]);
        Assert.Equal(200, statuses["box.lan.example"]);
        Assert.Equal(200, statuses["localhost"]);
        Assert.Equal(200, statuses["127.0.0.1"]);
        Assert.Equal(200, statuses["[::1]"]);
        Assert.Equal(400, statuses["evil.example"]);
        Assert.Equal(400, statuses["mcx.example.com.evil.example"]);
    }

    [Fact]
    public async Task HealthProbes_AnswerWhateverTheName()
    {
        using var data = new TempDirectory();
        await using var control = await ControlHost.StartAsync(data.Path);
        await using var edge = await EdgeHost.StartAsync(control.Url);
        await edge.SyncPoolAsync(); // ready means the Edge has its first view of the pool

        var healthz = await RawHttp.SendAsync(edge.Url, Raw.Request("GET", "/healthz", [], null, "10.1.2.3:4010"));
        var readyz = await RawHttp.SendAsync(edge.Url, Raw.Request("GET", "/readyz", [], null, "pod-7.internal:4010"));

        Assert.Equal(200, healthz.Status);
        Assert.Equal(200, readyz.Status);
    }

    public static TheoryData<string, string?, string[]> Rules => new()
    {
        // bind address, ALLOWED_HOSTS, what is answered
        { "127.0.0.1", null, ["localhost", "127.0.0.1", "[::1]"] },
        { "localhost", "mcx.example.com", ["localhost", "127.0.0.1", "[::1]", "mcx.example.com"] },
        { "0.0.0.0", null, ["*"] },
        { "0.0.0.0", "mcx.example.com", ["localhost", "127.0.0.1", "[::1]", "mcx.example.com"] },
        { "control", "mcx.example.com", ["localhost", "127.0.0.1", "[::1]", "control", "mcx.example.com"] },
        { "127.0.0.1", "*", ["*"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void BeyondLoopback_WithoutAllowedHosts_NoOneIsLockedOut(string bindHost, string? allowedHosts, string[] answered)
    {
        Assert.Equal(answered, HostNames.Allowed(bindHost, allowedHosts));
    }
}
