using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>A Responses WebSocket client shaped like the Codex CLI's: the beta header, bearer and account id on the
/// upgrade, <c>response.create</c> frames with the HTTP body's fields, events read one text frame at a time.</summary>
internal sealed class WsClient(ClientWebSocket socket) : IAsyncDisposable
{
    public const string Beta = "responses_websockets=2026-02-06";

    private static readonly string[] Terminal = ["response.completed", "response.failed", "response.incomplete", "error"];

    public ClientWebSocket Socket { get; } = socket;

    /// <summary>Opens a socket; on a refused upgrade the returned status is set and the client is null.</summary>
    public static async Task<(WsClient? Client, int Status)> TryConnectAsync(FakeChatGpt sim, SimAccount account, TokenSet tokens, string? beta = Beta)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + tokens.AccessToken);
        socket.Options.SetRequestHeader("ChatGPT-Account-ID", account.ChatGptAccountId);
        if (beta is not null)
        {
            socket.Options.SetRequestHeader("OpenAI-Beta", beta);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(new Uri(sim.BaseUrl.Replace("http://", "ws://") + "/" + ResponsesRequests.Path), timeout.Token);
            return (new WsClient(socket), 101);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    public static async Task<WsClient> ConnectAsync(FakeChatGpt sim, SimAccount account, TokenSet tokens)
    {
        var (client, status) = await TryConnectAsync(sim, account, tokens);
        Assert.True(client is not null, $"upgrade answered {status}");
        return client!;
    }

    /// <summary>A <c>response.create</c> frame: the codex-like body, optionally a continuation, warmup, or other input.</summary>
    public static JsonObject Create(string prompt, string? previousResponseId = null, bool warmup = false, JsonArray? input = null, string model = "gpt-5.5")
    {
        var body = ResponsesRequests.CodexLike(prompt, model);
        var frame = new JsonObject { ["type"] = "response.create" };
        foreach (var (name, value) in body)
        {
            frame[name] = value?.DeepClone();
        }

        if (previousResponseId is not null)
        {
            frame["previous_response_id"] = previousResponseId;
        }

        if (input is not null)
        {
            frame["input"] = input;
        }

        if (warmup)
        {
            frame["generate"] = false;
        }

        return frame;
    }

    public static JsonArray UserInput(string text) => new(new JsonObject
    {
        ["type"] = "message",
        ["role"] = "user",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    });

    public Task SendAsync(JsonNode frame) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The next text frame as JSON; null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var result = await Socket.ReceiveAsync(chunk, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var doc = JsonDocument.Parse(buffer.ToArray());
                return doc.RootElement.Clone();
            }
        }
    }

    /// <summary>Reads frames up to and including the terminal one of the current request.</summary>
    public async Task<List<JsonElement>> ReadResponseAsync()
    {
        var frames = new List<JsonElement>();
        while (await ReceiveAsync() is { } frame)
        {
            frames.Add(frame);
            if (Terminal.Contains(frame.GetProperty("type").GetString()))
            {
                return frames;
            }
        }

        Assert.Fail("The socket closed before a terminal frame: " + string.Join(", ", frames.Select(f => f.GetProperty("type").GetString())));
        return frames;
    }

    public static string Text(IEnumerable<JsonElement> frames) => string.Concat(frames
        .Where(f => f.GetProperty("type").GetString() == "response.output_text.delta")
        .Select(f => f.GetProperty("delta").GetString()));

    public static string ResponseId(IEnumerable<JsonElement> frames) =>
        frames.First(f => f.GetProperty("type").GetString() == "response.created").GetProperty("response").GetProperty("id").GetString()!;

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        await Task.CompletedTask;
    }
}
