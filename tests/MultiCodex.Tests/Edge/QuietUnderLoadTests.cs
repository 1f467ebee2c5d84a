using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>
/// Clients that go away are no error: under load, with clients that hang up at every stage (while sending the body,
/// while an account is leased, mid-stream) and connections that close before saying anything, no log line of the Edge
/// or Control is an unhandled exception or at error level, the request log records 499s, and the proxy keeps serving.
/// A header HTTP cannot carry on (non-ASCII) is dropped, not a 502 counted against an account.
/// </summary>
public sealed class QuietUnderLoadTests : IAsyncLifetime
{
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task ClientsHangingUpEverywhere_LeaveNoErrorInTheLogs_And499sInTheRequestLog()
    {
        var (sim, _) = await _proxy.AddAccountAsync("load@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(300)), times: 1000);
        var logged = TestLogs.All(_proxy.Stack.LogSources).Count;

        var clients = Enumerable.Range(0, 48).Select(i => (i % 4) switch
        {
            0 => HangUpMidStreamAsync(),
            1 => HangUpAfterAsync(TimeSpan.FromMilliseconds(i % 7 * 3), stream: i % 2 == 0),
            2 => HalfABodyThenGoneAsync(),
            _ => ConnectAndCloseAsync(i % 8 == 3 ? "PRI * HTTP/2.0\r\n"u8.ToArray() : []),
        });
        await Task.WhenAll(clients);
        var stillServing = await _proxy.Client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "still there?" });

        Assert.Equal(HttpStatusCode.OK, stillServing.StatusCode);
        var requests = await WaitForAsync(async () =>
        {
            var log = JsonNode.Parse(await _proxy.Stack.Admin.GetStringAsync("/admin/requests?pageSize=500"))!["requests"]!.AsArray();
            return log.Any(r => (int?)r!["statusCode"] == 499) ? log : null;
        });
        Assert.True(requests is not null, "no 499 in the request log: " + await _proxy.Stack.Admin.GetStringAsync("/admin/requests?pageSize=500"));
        var lines = TestLogs.All(_proxy.Stack.LogSources).Skip(logged).ToList();
        var errors = lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error || TestLogs.Faults(_proxy.Stack.LogSources).Contains(l)).ToList();
        Assert.True(errors.Count == 0, "error lines:\n" + string.Join("\n", errors));
    }

    [Fact]
    public async Task NonAsciiHeaders_AreDropped_NotA502_AndNotRetried()
    {
        var (sim, id) = await _proxy.AddAccountAsync("utf8@example.com");
        var port = _proxy.Stack.Edge.Url.Port;
        var body = "{\"model\":\"gpt-5.5\",\"input\":\"hi\"}";

        var v1 = await RawHttp.SendAsync(_proxy.Stack.Edge.Url, Encoding.Latin1.GetBytes(
            $"POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nx-title: Caf\u00C3\u00A9 app\r\n" +
            $"session-id: s\u00C3\u00A9ssion\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        var admin = await RawHttp.SendAsync(_proxy.Stack.Edge.Url, Encoding.Latin1.GetBytes(
            $"GET /admin/accounts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-admin-token: {Stack.AdminToken}\r\nx-note: \u00C3\u00A9t\u00C3\u00A9\r\nConnection: close\r\n\r\n"));

        Assert.Equal(200, v1.Status);
        Assert.Equal(1, sim.ResponsesRequestCount);
        var sent = _proxy.Upstream.Requests.ForPath("/backend-api/codex/responses").Last();
        Assert.Null(sent.Header("x-title"));
        Assert.Equal("STATE_ACTIVE", (string?)(await _proxy.AccountAsync(id))["state"]);
        Assert.Equal(200, admin.Status);
    }

    private async Task HangUpAfterAsync(TimeSpan delay, bool stream)
    {
        using var gone = new CancellationTokenSource(delay);
        try
        {
            using var response = await _proxy.Client.PostAsJsonAsync("/v1/responses",
                new { model = "gpt-5.5", input = "a long answer that keeps streaming for a while", stream }, gone.Token);
            await response.Content.CopyToAsync(Stream.Null, gone.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HangUpMidStreamAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = JsonContent.Create(new { model = "gpt-5.5", input = "a long answer that keeps streaming for a while", stream = true }),
        };
        using var response = await _proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && line != "event: response.output_text.delta")
        {
        }
    }

    private async Task HalfABodyThenGoneAsync()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(_proxy.Stack.Edge.Url.Host, _proxy.Stack.Edge.Url.Port);
        var head = $"POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1:{_proxy.Stack.Edge.Url.Port}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"model\":";
        await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head));
        socket.Client.LingerState = new LingerOption(true, 0); // a reset, as a crashed client would leave
    }

    private async Task ConnectAndCloseAsync(byte[] firstBytes)
    {
        foreach (var port in new[] { _proxy.Stack.Edge.Url.Port, _proxy.Stack.Control.Url.Port })
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", port);
            if (firstBytes.Length > 0)
            {
                await socket.GetStream().WriteAsync(firstBytes);
            }
        }
    }

    private static async Task<T?> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            await Task.Delay(50); // outcome reports travel after the Edge notices the disconnect
        }
        return null;
    }
}
