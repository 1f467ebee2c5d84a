using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MultiCodex.Bench.Upstream;

namespace MultiCodex.Bench.Workload;

/// <summary>One turn as the client saw it: milliseconds to the first event and to the end, and the answer's text.</summary>
internal sealed record Turn(double FirstEventMs, double FullMs, string Text, string? Failure);

/// <summary>
/// A Codex conversation that grows by a turn at a time: a developer message, then per turn a user message of about
/// 2 KB (a file or a command's output, as in a coding session) and the assistant's answer, with 12 tools on every
/// request. Over HTTP each turn re-sends the whole history (what the OpenAI SDKs and Codex without WebSockets do);
/// over the Responses WebSocket each turn after the first sends only its new user message with
/// <c>previous_response_id</c> (what Codex does with <c>supports_websockets = true</c>).
/// </summary>
internal sealed class Conversation(string id)
{
    private const int UserBytes = 2048;
    private readonly List<(string Role, string Text)> _history = [];

    /// <summary>The body of the next turn over HTTP: the whole history and the new message.</summary>
    public byte[] HttpBody(int turn) => Body(turn, previousResponseId: null, socket: false);

    /// <summary>The next turn's <c>response.create</c>: full on the first turn, then only the new message.</summary>
    public byte[] SocketFrame(int turn, string? previousResponseId) => Body(turn, previousResponseId, socket: true);

    /// <summary>Adds the turn and its answer to the history.</summary>
    public void Answered(int turn, string answer)
    {
        _history.Add(("user", UserText(turn)));
        _history.Add(("assistant", answer));
    }

    private byte[] Body(int turn, string? previousResponseId, bool socket)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (socket)
            {
                w.WriteString("type", "response.create");
            }
            w.WriteString("model", "gpt-5.5");
            w.WriteBoolean("stream", true);
            if (previousResponseId is not null)
            {
                w.WriteString("previous_response_id", previousResponseId);
            }
            w.WriteStartArray("input");
            if (previousResponseId is null)
            {
                ConversationWriter.ResponsesMessage(w, "developer", "input_text", ConversationWriter.Instructions);
                foreach (var (role, text) in _history)
                {
                    ConversationWriter.ResponsesMessage(w, role, role == "user" ? "input_text" : "output_text", text);
                }
            }
            ConversationWriter.ResponsesMessage(w, "user", "input_text", UserText(turn));
            w.WriteEndArray();
            w.WriteStartArray("tools");
            ConversationWriter.WriteTools(w, Payloads.LargeTools, chat: false);
            w.WriteEndArray();
            w.WriteString("tool_choice", "auto");
            w.WriteBoolean("parallel_tool_calls", false);
            w.WriteBoolean("store", false);
            w.WriteStartArray("include");
            w.WriteStringValue("reasoning.encrypted_content");
            w.WriteEndArray();
            w.WriteString("prompt_cache_key", id);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private string UserText(int turn)
    {
        var text = new StringBuilder($"Turn {turn} of {id}: here is the output of the last command — naïve 中文 <b>&</b>.\n", UserBytes + 64);
        while (text.Length < UserBytes)
        {
            text.Append("src/Pipeline.cs:").Append(text.Length % 997).Append(": var answer = await pipeline.RunAsync(request);\n");
        }
        return text.ToString();
    }
}

/// <summary>A client of the Edge's Responses WebSocket: one socket per conversation, one turn at a time.</summary>
internal sealed class SocketConversationClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    public static async Task<SocketConversationClient> ConnectAsync(Uri edge, string clientKey)
    {
        var client = new SocketConversationClient();
        client._socket.Options.SetRequestHeader("Authorization", "Bearer " + clientKey);
        client._socket.Options.SetRequestHeader("OpenAI-Beta", "responses_websockets=2026-02-06");
        client._socket.Options.SetRequestHeader("originator", "codex_exec");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client._socket.ConnectAsync(new UriBuilder(new Uri(edge, "/v1/responses")) { Scheme = "ws" }.Uri, timeout.Token);
        return client;
    }

    /// <summary>Sends one frame and reads its events up to the one that ends the response; the response's id comes back too.</summary>
    public async Task<(Turn Turn, string? ResponseId)> AskAsync(byte[] frame)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        double first = 0;
        string? responseId = null;
        var text = new StringBuilder();
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            while (true)
            {
                var message = await ReceiveAsync(timeout.Token);
                if (message is null)
                {
                    return (new Turn(first, clock.Elapsed.TotalMilliseconds, text.ToString(), "the socket closed before the response ended"), responseId);
                }
                first = first == 0 ? clock.Elapsed.TotalMilliseconds : first;
                using var json = JsonDocument.Parse(message);
                var root = json.RootElement;
                switch (root.GetProperty("type").GetString())
                {
                    case "response.created":
                        responseId = root.GetProperty("response").GetProperty("id").GetString();
                        break;
                    case "response.output_text.delta":
                        text.Append(root.GetProperty("delta").GetString());
                        break;
                    case "response.completed":
                        return (new Turn(first, clock.Elapsed.TotalMilliseconds, text.ToString(), null), responseId);
                    case "error" or "response.failed" or "response.incomplete":
                        return (new Turn(first, clock.Elapsed.TotalMilliseconds, text.ToString(), root.GetRawText()), responseId);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
        {
            return (new Turn(first, clock.Elapsed.TotalMilliseconds, text.ToString(), $"{e.GetType().Name}: {e.Message}"), responseId);
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(_buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }
}
