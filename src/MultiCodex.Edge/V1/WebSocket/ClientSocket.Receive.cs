using System.Net.WebSockets;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>Reading the client's messages: whole text messages within the size limit, and what kind each one is.</summary>
internal sealed partial class ClientSocket
{
    private async Task<Received?> ReceiveAsync()
    {
        var limit = _services.Options.MaxRequestBodyBytes;
        var message = new PooledBuffer(16 * 1024);
        try
        {
            ValueWebSocketReceiveResult result;
            do
            {
                var room = message.Length > limit ? message.GetMemory(16 * 1024)[..(16 * 1024)] : message.GetMemory(16 * 1024);
                result = await _socket.ReceiveAsync(room, _closed.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    message.Dispose();
                    return null;
                }
                if (message.Length <= limit)
                {
                    message.Advance(result.Count); // past the limit the rest is read into the same room and dropped
                }
            }
            while (!result.EndOfMessage);
            if (message.Length > limit)
            {
                message.Dispose();
                return new Received(null, false, TooLarge: true);
            }
            return new Received(message, result.MessageType == WebSocketMessageType.Binary, false);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    // The frame's `type`, read without validating the rest (step 2 does that); null when it is not a JSON object with one.
    private static string? TypeOf(ReadOnlySpan<byte> message, bool binary)
    {
        if (binary)
        {
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(message);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        return null;
    }

    private static string? ResponseIdOf(ReadOnlySpan<byte> message)
    {
        try
        {
            using var json = JsonDocument.Parse(message.ToArray());
            return json.RootElement.TryGetProperty("response_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Received(PooledBuffer? Message, bool Binary, bool TooLarge);
}
