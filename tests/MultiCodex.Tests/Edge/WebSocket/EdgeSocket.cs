using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Edge.WebSocket;

/// <summary>
/// A client of the Edge's Responses WebSocket shaped like the Codex CLI 0.171 with a custom provider: the beta header,
/// its session headers and bearer on the upgrade, <c>response.create</c> frames with the HTTP body's fields, and
/// each event read as one text frame.
/// </summary>
internal sealed class EdgeSocket(ClientWebSocket socket) : IAsyncDisposable
{
    public const string Beta = "responses_websockets=2026-02-06";

    private static readonly string[] Terminal = ["response.completed", "response.failed", "response.incomplete", "error"];

    public ClientWebSocket Socket { get; } = socket;

    /// <summary>
    /// Opens a socket on <paramref name="edge"/>; on a refused upgrade the status is returned and the client is null.
    /// A null <paramref name="session"/> sends no <c>session-id</c> (a client other than Codex).
    /// </summary>
    public static async Task<(EdgeSocket? Client, int Status)> TryConnectAsync(Uri edge, string? key = null, string? session = "thread-1",
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        }
        socket.Options.SetRequestHeader("OpenAI-Beta", Beta);
        socket.Options.SetRequestHeader("originator", "codex_exec");
        socket.Options.SetRequestHeader("User-Agent", "codex_exec/0.171.0 (Debian 12.0.0; x86_64) (codex_exec; 0.171.0)");
        if (session is not null)
        {
            socket.Options.SetRequestHeader("session-id", session);
        }
        socket.Options.SetRequestHeader("x-codex-beta-features", "remote_compaction_v2");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            socket.Options.SetRequestHeader(name, value);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(new UriBuilder(new Uri(edge, "/v1/responses")) { Scheme = "ws" }.Uri, timeout.Token);
            return (new EdgeSocket(socket), 101);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    public static async Task<EdgeSocket> ConnectAsync(Uri edge, string? key = null, string? session = "thread-1", IReadOnlyDictionary<string, string>? headers = null)
    {
        var (client, status) = await TryConnectAsync(edge, key, session, headers);
        Assert.True(client is not null, $"The upgrade was answered {status}.");
        return client!;
    }

    /// <summary>
    /// A codex-like <c>response.create</c>: the base instructions for a warmup, else the given input. A null
    /// <paramref name="promptCacheKey"/> leaves the key out (a client other than Codex).
    /// </summary>
    public static JsonObject Create(JsonArray input, string? previousResponseId = null, bool warmup = false, string model = "gpt-5.5",
        string? promptCacheKey = "thread-1")
    {
        var frame = new JsonObject
        {
            ["type"] = "response.create",
            ["model"] = model,
            ["stream"] = true,
        };
        if (previousResponseId is not null)
        {
            frame["previous_response_id"] = previousResponseId;
        }
        frame["input"] = input;
        frame["tools"] = new JsonArray(new JsonObject
        {
            ["type"] = "function",
            ["name"] = "shell",
            ["description"] = "Runs a command.",
            ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["cmd"] = new JsonObject { ["type"] = "string" } } },
            ["strict"] = false,
        });
        frame["tool_choice"] = "auto";
        frame["parallel_tool_calls"] = false;
        frame["store"] = false;
        frame["include"] = new JsonArray("reasoning.encrypted_content");
        if (promptCacheKey is not null)
        {
            frame["prompt_cache_key"] = promptCacheKey;
        }
        if (warmup)
        {
            frame["generate"] = false;
        }
        frame["client_metadata"] = promptCacheKey is null
            ? new JsonObject { ["x-codex-installation-id"] = "install-1" }
            : new JsonObject { ["x-codex-installation-id"] = "install-1", ["thread_id"] = promptCacheKey };
        return frame;
    }

    public static JsonObject Warmup(string promptCacheKey = "thread-1") =>
        Create(new JsonArray(Message("developer", "You are Codex, a coding agent.")), warmup: true, promptCacheKey: promptCacheKey);

    public static JsonObject Message(string role, string text) => new()
    {
        ["type"] = "message",
        ["role"] = role,
        ["id"] = "msg_" + Guid.NewGuid().ToString("N"),
        ["content"] = new JsonArray(new JsonObject { ["type"] = role == "assistant" ? "output_text" : "input_text", ["text"] = text }),
    };

    public static JsonArray User(string text) => new(Message("user", text));

    public Task SendAsync(JsonNode frame) => SendTextAsync(frame.ToJsonString());

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The next text frame as JSON; null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(30));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await Socket.ReceiveAsync(chunk.AsMemory(), timeout.Token);
            }
            catch (WebSocketException)
            {
                return null;
            }
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

    /// <summary>Reads frames up to and including the one that ends the current request.</summary>
    public async Task<List<JsonElement>> ReadResponseAsync()
    {
        var frames = new List<JsonElement>();
        while (await ReceiveAsync() is { } frame)
        {
            frames.Add(frame);
            if (Terminal.Contains(TypeOf(frame)))
            {
                return frames;
            }
        }
        Assert.Fail("The socket closed before a terminal frame: " + string.Join(", ", frames.Select(TypeOf)));
        return frames;
    }

    /// <summary>Sends a frame and reads its answer.</summary>
    public async Task<List<JsonElement>> AskAsync(JsonNode frame)
    {
        await SendAsync(frame);
        return await ReadResponseAsync();
    }

    public static string TypeOf(JsonElement frame) => frame.GetProperty("type").GetString()!;

    public static string Text(IEnumerable<JsonElement> frames) => string.Concat(frames
        .Where(f => TypeOf(f) == "response.output_text.delta")
        .Select(f => f.GetProperty("delta").GetString()));

    public static string ResponseId(IEnumerable<JsonElement> frames) =>
        frames.First(f => TypeOf(f) == "response.created").GetProperty("response").GetProperty("id").GetString()!;

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        await Task.CompletedTask;
    }
}
