using System.Net;
using System.Net.Sockets;
using System.Text;
using MultiCodex.Control.V1;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Control;

/// <summary>
/// Regression test for the cleartext protocol sniffer: Control's one port serves HTTP/1.1 (curl, Prometheus) and
/// HTTP/2 with prior knowledge (native gRPC), even when the HTTP/2 preface arrives in pieces.
/// </summary>
public sealed class OnePortProtocolTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Http11AndHttp2_OnTheSamePort()
    {
        using var http11 = new HttpClient { BaseAddress = _stack.Control.Url, DefaultRequestVersion = HttpVersion.Version11 };
        http11.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);

        var rest = await http11.GetAsync("/admin/accounts");
        var metrics = await http11.GetStringAsync("/metrics");
        var grpc = await new AccountService.AccountServiceClient(_stack.Control.Channel).ListAccountsAsync(new(), Stack.Authorized);

        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(new Version(1, 1), rest.Version);
        Assert.Contains("multicodex_control_accounts", metrics);
        Assert.Empty(grpc.Accounts);
    }

    [Fact]
    public async Task NativeGrpc_ThroughTheFrontDoor_ReachesControl()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_stack.Edge.Url);

        var reply = await new AccountService.AccountServiceClient(channel).ListAccountsAsync(new(), Stack.Authorized);
        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Empty(reply.Accounts);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Http2Preface_SplitAcrossWrites_IsStillRecognised()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _stack.Control.Url.Port);
        var stream = socket.GetStream();
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

        await stream.WriteAsync(preface.AsMemory(0, 5));
        await stream.FlushAsync();
        await Task.Yield();
        await stream.WriteAsync(preface.AsMemory(5));
        // An empty SETTINGS frame: length 0, type 4, flags 0, stream 0.
        await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
        var header = new byte[9];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(header, timeout.Token);

        // The server answers with its own SETTINGS frame (type 4): it speaks HTTP/2 on this connection.
        Assert.Equal(4, header[3]);
    }

    [Fact]
    public async Task PlainHttp11Request_WithATinyFirstWrite_IsServed()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _stack.Control.Url.Port);
        var stream = socket.GetStream();

        await stream.WriteAsync("P"u8.ToArray());
        await stream.FlushAsync();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("OST /admin/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = await new StreamReader(stream).ReadLineAsync(timeout.Token);

        // No admin token: the point is that HTTP/1.1 was parsed and answered, not hung waiting for a preface.
        Assert.StartsWith("HTTP/1.1 401", reply);
    }
}
