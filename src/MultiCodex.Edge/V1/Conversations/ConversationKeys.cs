using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.Conversations;

/// <summary>
/// One key per conversation, sent upstream both ways the backend reads it: the <c>session-id</c> header (which the
/// prompt cache's routing follows) and the body's <c>prompt_cache_key</c> (which only influences it), equal, as the
/// Codex CLI sends them (docs/upstream-responses.md §2.2, §8). The same key binds the conversation to its account
/// (the pool's session binding), so every request of a conversation reaches the same account with the same key.
/// </summary>
/// <remarks>
/// The key is, in this order: the client's <c>prompt_cache_key</c>; its session header (<see cref="SessionKeys"/>);
/// the key of the response a <c>previous_response_id</c> continues; else one derived from the conversation's opening
/// (<see cref="Derive"/>) — what an OpenAI SDK client of <c>/v1/chat/completions</c> gets, since it sends neither.
/// Whatever the client sent travels as sent; only what it left out is added.
/// </remarks>
public static class ConversationKeys
{
    private static readonly byte[] DerivedDomain = "multicodex.conversation.v1"u8.ToArray();
    private static readonly byte[] HeaderDomain = "multicodex.session-header.v1"u8.ToArray();

    /// <summary>The longest client key sent as a header value as it is; longer ones are sent as their hash.</summary>
    private const int LongestHeaderValue = 256;

    /// <summary>
    /// Settles the conversation of a request whose upstream body is <paramref name="body"/> (a JSON object the Edge
    /// wrote, ending in <c>}</c>): adds <c>prompt_cache_key</c> to it when the client sent none, and returns the key
    /// and the <c>session-id</c> value to add (null when the client sent that header itself).
    /// </summary>
    public static (string Key, string? SessionId) Settle(PooledBuffer body, string? clientCacheKey, IHeaderDictionary headers, string? inherited,
        string clientKeyId, string model)
    {
        var key = clientCacheKey ?? SessionKeys.FromHeaders(headers) ?? inherited ?? Derive(clientKeyId, model, body.Span);
        if (clientCacheKey is null)
        {
            AppendString(body, "prompt_cache_key"u8, key);
        }
        var sentItself = headers.TryGetValue("session-id", out var sent) && !string.IsNullOrWhiteSpace(sent);
        return (key, sentItself ? null : HeaderValue(key));
    }

    /// <summary>
    /// The key of a conversation whose client sent none: a SHA-256 over the client key's id, the model and the
    /// conversation's opening — its input items up to and including the first user message, as the bytes of the body
    /// sent upstream (for Chat Completions, the Edge's own deterministic translation of the messages). Every later
    /// turn of the conversation re-sends the same opening, so every turn gets the same key. Each part is
    /// length-prefixed, so two different (key, model, opening) triples never hash the same bytes: two client keys
    /// cannot share a derived key, nor one key's two conversations that open differently (two that open with the same
    /// messages on the same model are, as far as the prompt cache can tell, the same prefix anyway).
    /// Shaped as a UUID (version 8, RFC 9562: 122 bits of the hash) like the Codex CLI's own session ids.
    /// </summary>
    public static string Derive(string clientKeyId, string model, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Part(hash, DerivedDomain);
        Part(hash, Encoding.UTF8.GetBytes(clientKeyId));
        Part(hash, Encoding.UTF8.GetBytes(model));
        foreach (var item in Opening(body))
        {
            Part(hash, body[item]);
        }
        return Uuid(hash.GetHashAndReset());
    }

    /// <summary>A key as a <c>session-id</c> value: as it is when it is a short token of visible ASCII, else its hash as a UUID.</summary>
    public static string HeaderValue(string key)
    {
        if (key.Length <= LongestHeaderValue && !key.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return key;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Part(hash, HeaderDomain);
        Part(hash, Encoding.UTF8.GetBytes(key));
        return Uuid(hash.GetHashAndReset());
    }

    // Where the opening items are in the body: the top-level "input" list's items up to the first user message.
    private static List<Range> Opening(ReadOnlySpan<byte> body)
    {
        var items = new List<Range>();
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return items;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInput = reader.ValueTextEquals("input"u8);
            reader.Read();
            if (!isInput || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                var isUser = reader.TokenType == JsonTokenType.StartObject && IsUserMessage(ref reader);
                if (!isUser)
                {
                    reader.Skip();
                }
                items.Add(start..(int)reader.BytesConsumed);
                if (isUser)
                {
                    return items;
                }
            }
            return items;
        }
        return items;
    }

    // Reads an item object to its end; true when its role is "user".
    private static bool IsUserMessage(ref Utf8JsonReader reader)
    {
        var isUser = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRole = reader.ValueTextEquals("role"u8);
            reader.Read();
            isUser |= isRole && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("user"u8);
            reader.Skip();
        }
        return isUser;
    }

    private static void Part(IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private static string Uuid(byte[] digest)
    {
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80); // version 8: custom
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80); // the RFC 9562 variant
        var hex = Convert.ToHexStringLower(digest, 0, 16);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    // Adds "name":"value" as the last member of a JSON object the Edge wrote (it ends with its closing brace).
    private static void AppendString(PooledBuffer body, ReadOnlySpan<byte> name, string value)
    {
        body.Truncate(body.Length - 1);
        body.Write((byte)',');
        using (var writer = new Utf8JsonWriter(body, OpenAiErrors.WriterOptions))
        {
            writer.WriteStringValue(name);
        }
        body.Write((byte)':');
        using (var writer = new Utf8JsonWriter(body, OpenAiErrors.WriterOptions))
        {
            writer.WriteStringValue(value);
        }
        body.Write((byte)'}');
    }
}
