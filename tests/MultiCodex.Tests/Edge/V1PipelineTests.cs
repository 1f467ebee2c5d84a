using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Edge;

/// <summary>
/// The /v1 pipeline through the real Edge, Control and the fake backend: what reaches the upstream, what a hostile
/// or broken request gets back, the first-event timeout, and a quiet log when clients go away.
/// </summary>
public sealed class V1PipelineTests : IAsyncLifetime
{
    private const string ResponsesPath = "/backend-api/codex/responses";
    private ProxyFixture _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyFixture.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Fact]
    public async Task ALargeCodexShapedBody_ReachesTheUpstreamByteForByte()
    {
        await _proxy.AddAccountAsync("bytes@example.com");
        var items = string.Join(",", Enumerable.Range(0, 200).Select(i =>
            $$"""{"type":"message","role":"user","id":"msg_{{i}}","content":[{"type":"input_text","text":"Schritt {{i}}: <tag> & 'q' + ünïcödé ✓ 日本語 \u00e9 {{new string('x', 2000)}}"}]}"""));
        var tools = string.Join(",", Enumerable.Range(0, 12).Select(i =>
            "{\"type\":\"function\",\"name\":\"tool_" + i + "\",\"parameters\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"minimum\":1.50E+2}}},\"strict\":false}"));
        // Codex-shaped: with its prompt_cache_key (a body without one gets the conversation's key added, ConversationKeyTests).
        var body = $$"""{"model":"gpt-5.5","input":[{{items}}],"tools":[{{tools}}],"tool_choice":"auto","prompt_cache_key":"thread-bytes","x_client_field":{"keep":[1,2.0,-0.0]},"stream":false}""";

        var response = await _proxy.Client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single().BodyText!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body[..^"\"stream\":false}".Length] + "\"stream\":true,\"store\":false}", sent);
        Assert.InRange(Encoding.UTF8.GetByteCount(sent) - Encoding.UTF8.GetByteCount(body), 0, 20);
    }

    public static TheoryData<string, byte[], string> MalformedBodies => new()
    {
        { "duplicate key", "{\"model\":\"gpt-5.5\",\"input\":\"x\",\"input\":\"y\"}"u8.ToArray(), "appears twice" },
        { "nested duplicate key", "{\"model\":\"gpt-5.5\",\"input\":[{\"role\":\"user\",\"role\":\"system\",\"content\":\"x\"}]}"u8.ToArray(), "appears twice" },
        { "invalid UTF-8", [.. "{\"model\":\"gpt-5.5\",\"input\":\""u8, 0xFF, 0xFE, .. "\"}"u8], "UTF-8" },
        { "not an object", "[\"gpt-5.5\"]"u8.ToArray(), "JSON object" },
        { "empty", [], "empty" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AMalformedBody_Is400InOpenAiShape_OnBothEndpoints_AndNeverReachesAnAccount(string _, byte[] body, string fragment)
    {
        var (_, id) = await _proxy.AddAccountAsync("strict@example.com");

        foreach (var path in (string[])["/v1/responses", "/v1/chat/completions"])
        {
            var response = await _proxy.Client.PostAsync(path, new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request_error", (string?)error["type"]);
            Assert.Contains(fragment, (string?)error["message"]);
        }
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
        Assert.Equal("STATE_ACTIVE", (string?)(await _proxy.AccountAsync(id))["state"]);
    }

    [Theory]
    [InlineData("gzip", "checksum")]
    [InlineData("zstd", "frame")]
    [InlineData("br", "stream")]
    public async Task ACorruptCompressedBody_Is400NamingTheEncoding(string encoding, string damage)
    {
        await _proxy.AddAccountAsync("corrupt@example.com");
        var compressed = Compress(encoding, "{\"model\":\"gpt-5.5\",\"input\":\"hello there, a body long enough to compress\"}"u8.ToArray());
        switch (damage)
        {
            case "checksum": // gzip's CRC-32 catches any change
                compressed[compressed.Length / 2] ^= 0x5A;
                break;
            case "frame": // zstd checks its magic number and frame header
                compressed[0] ^= 0xFF;
                break;
            default: // brotli has no checksum: bytes that are not a brotli stream at all
                compressed = "this is not brotli, not at all"u8.ToArray();
                break;
        }
        var content = new ByteArrayContent(compressed) { Headers = { ContentType = new("application/json") } };
        content.Headers.ContentEncoding.Add(encoding);

        var response = await _proxy.Client.PostAsync("/v1/responses", content);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(encoding, (string?)error["message"]);
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    [Fact]
    public async Task ABodyThatStopsArriving_Is408()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_proxy.Stack.Edge.Url.Host, _proxy.Stack.Edge.Url.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/responses HTTP/1.1\r\nHost: {_proxy.Stack.Edge.Url.Authority}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"model\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Kestrel's minimum body data rate (240 B/s after a 5 s grace) gives up on the body; the Edge answers it.
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!answer.ToString().Contains("}}", StringComparison.Ordinal)
            && await stream.ReadAsync(buffer, patience.Token) is var read and > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 408", answer.ToString());
        Assert.Contains("\"code\":\"request_timeout\"", answer.ToString());
        Assert.Empty(_proxy.Upstream.Requests.ForPath(ResponsesPath));
    }

    [Fact]
    public async Task TheUpstreamSeesTheRebuiltRoutingHint_ThePersona_AndOnlyForwardableClientHeaders()
    {
        await _proxy.AddAccountAsync("headers@example.com");
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _proxy.Stack.Edge.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("""{"model":"gpt-5.5","input":"x","service_tier":"priority"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("x-codex-routing-hint", "model=gpt-1;tier=free");
        request.Headers.TryAddWithoutValidation("x-app-title", "Café ✓"); // not ASCII: dropped at the front door
        request.Headers.TryAddWithoutValidation("x-app-name", "Cafe");
        request.Headers.TryAddWithoutValidation("x-stainless-os", "Linux");
        request.Headers.TryAddWithoutValidation("session-id", "thread-7");

        var response = await http.SendAsync(request);
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).Single();
        var models = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("model=gpt-5.5;tier=priority", sent.Header("x-codex-routing-hint"));
        Assert.Null(sent.Header("x-app-title"));
        Assert.Equal("Cafe", sent.Header("x-app-name"));
        Assert.Equal("thread-7", sent.Header("session-id"));
        Assert.Null(sent.Header("x-stainless-os"));
        Assert.Equal("codex_cli_rs", sent.Header("originator"));
        Assert.Equal("0.171.0", sent.Header("version"));
        Assert.StartsWith("codex_cli_rs/0.171.0", sent.Header("user-agent"));
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("client_version=0.171.0", _proxy.Upstream.Requests.ForPath("/backend-api/codex/models").Single().QueryString);
    }

    [Fact]
    public async Task AClientHeaderWithControlCharacters_IsDropped_AndTheRequestServed()
    {
        await _proxy.AddAccountAsync("ctl@example.com");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_proxy.Stack.Edge.Url.Host, _proxy.Stack.Edge.Url.Port);
        var stream = tcp.GetStream();
        var body = "{\"model\":\"gpt-5.5\",\"input\":\"x\"}";
        var request = $"POST /v1/responses HTTP/1.1\r\nHost: {_proxy.Stack.Edge.Url.Authority}\r\nContent-Type: application/json\r\n" +
            $"x-odd: a\u0001b\r\nx-fine: ok\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var reader = new StreamReader(stream);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var sent = _proxy.Upstream.Requests.ForPath(ResponsesPath).SingleOrDefault();

        // Kestrel lets the value through; the Edge cannot forward it (HTTP forbids control characters), so it drops it.
        Assert.StartsWith("HTTP/1.1 200", statusLine);
        Assert.Null(sent!.Header("x-odd"));
        Assert.Equal("ok", sent.Header("x-fine"));
    }

    [Fact]
    public async Task AnUpstreamSilentAfterItsHeaders_IsPassedOverAfterTheFirstEventTimeout_WithoutABlock()
    {
        var clock = new TimerAwareClock(DateTimeOffset.UtcNow);
        await using var proxy = await ProxyFixture.StartAsync(edgeTime: clock);
        var (silent, silentId) = await proxy.AddAccountAsync("silent@example.com", priority: 0);
        var (lively, _) = await proxy.AddAccountAsync("lively@example.com", priority: 1);
        silent.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMinutes(10))); // headers at once, then nothing
        var timers = clock.TimersCreated;

        var answer = proxy.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"anyone?"}""", Encoding.UTF8, "application/json"));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(20), after: timers); // the first-event timeout is armed
        clock.Advance(TimeSpan.FromSeconds(20));
        var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello from lively@example.com", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, silent.ResponsesRequestCount);
        Assert.Equal(1, lively.ResponsesRequestCount);
        Assert.Equal("STATE_ACTIVE", (string?)(await proxy.AccountAsync(silentId))["state"]);
    }

    [Fact]
    public async Task ClientsThatGoAway_AreA499InTheRequestLog_AndNothingIsLoggedAsAnError()
    {
        var (sim, _) = await _proxy.AddAccountAsync("leaving@example.com");
        sim.EnqueueBehavior(ResponseBehavior.Slow(TimeSpan.FromMilliseconds(200)), times: 20);
        var body = """{"model":"gpt-5.5","input":"a long answer that keeps streaming for a while","stream":true}""";

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var cancel = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Post, i % 2 == 0 ? "/v1/responses" : "/v1/chat/completions")
            {
                Content = new StringContent(i % 2 == 0 ? body : """{"model":"gpt-5.5","stream":true,"messages":[{"role":"user","content":"stay"}]}""", Encoding.UTF8, "application/json"),
            };
            if (i % 4 == 1)
            {
                cancel.CancelAfter(TimeSpan.FromMilliseconds(1)); // gone before or while an account is leased
            }
            try
            {
                using var response = await _proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
                await stream.ReadAtLeastAsync(new byte[64], 1, throwOnEndOfStream: false, cancel.Token); // the first bytes, then gone mid-stream
            }
            catch (OperationCanceledException)
            {
            }
        }));
        var log = await WaitForAsync(async () =>
        {
            var requests = JsonNode.Parse(await _proxy.Stack.Admin.GetStringAsync("/admin/requests"))!["requests"]!.AsArray();
            return requests.Count(r => (int?)r!["statusCode"] == 499) >= 10 ? requests : null;
        });

        Assert.NotNull(log);
        var errors = _proxy.Stack.Edge.Logs.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task<T?> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            await Task.Delay(50); // the outcome travels to Control after the Edge notices the disconnect
        }
        return null;
    }

    private static byte[] Compress(string encoding, byte[] data)
    {
        if (encoding == "zstd")
        {
            using var zstd = new ZstdSharp.Compressor();
            return zstd.Wrap(data).ToArray();
        }
        var output = new MemoryStream();
        using (Stream compressor = encoding == "gzip" ? new GZipStream(output, CompressionLevel.Fastest) : new BrotliStream(output, CompressionLevel.Fastest))
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }
}
