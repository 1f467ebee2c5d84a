using MultiCodex.Edge.V1.Conversations;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// The socket's conversation key: what keeps its requests on one account and the upstream's prompt cache warm, settled
/// as on HTTP (<see cref="ConversationKeys"/>) — the client's <c>prompt_cache_key</c>, else its session header, else the
/// key of this socket's conversation, else one derived from the opening of the socket's first request. The Codex CLI
/// sends both of its own; a client that sends neither gets the same derived key HTTP would give the same opening under
/// the same client key, so two sockets (or an HTTP request) that open alike land on the same account with the same key.
/// </summary>
internal sealed partial class ClientSocket
{
    /// <summary>The client key's id (its SHA-256; empty while /v1 is open): what derived keys are scoped to.</summary>
    public string ClientKeyId { get; }

    /// <summary>
    /// The key of the socket's conversation, once its first request settled one. Later requests the client sends
    /// without a key of their own keep it — continuations are bound to the socket's account anyway, and every frame
    /// of one upstream socket carries the one <c>session-id</c> its upgrade sent.
    /// </summary>
    public string? ConversationKey { get; private set; }

    /// <summary>
    /// Settles the conversation of a patched frame (<paramref name="frame"/>, which gains <c>prompt_cache_key</c> when
    /// the client sent none): its key, and the <c>session-id</c> to send upstream (null when the client sent its own).
    /// </summary>
    public (string Key, string? SessionId) SettleConversation(PooledBuffer frame, string? clientCacheKey, string model)
    {
        var (key, sessionId) = ConversationKeys.Settle(frame, clientCacheKey, Headers, ConversationKey, ClientKeyId, model);
        ConversationKey ??= key;
        return (key, sessionId);
    }
}
