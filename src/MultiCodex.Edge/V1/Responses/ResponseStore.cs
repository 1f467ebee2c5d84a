using Prometheus;

namespace MultiCodex.Edge.V1.Responses;

/// <summary>A response this Edge served, as a later <c>previous_response_id</c> continues it.</summary>
/// <param name="Id">The response's id (the upstream's <c>resp_…</c>).</param>
/// <param name="Items">Its context as input items, comma-joined JSON: the whole input it was made from, then its output.</param>
/// <param name="ConversationKey">The conversation key it was sent with, so that its continuations keep it (and its account).</param>
/// <param name="StoredAt">When it was stored; it expires <c>RESPONSE_STORE_MAX_AGE_SECONDS</c> later.</param>
public sealed record StoredResponse(string Id, byte[] Items, string? ConversationKey, DateTimeOffset StoredAt);

/// <summary>
/// The responses this Edge served over HTTP, per client key, so that a <c>previous_response_id</c> can be honoured
/// although the upstream keeps nothing (<c>store:false</c>, docs/upstream-responses.md §2.3, §9). Bounded in memory: at
/// most <c>RESPONSE_STORE_MAX_BYTES</c> in all (the oldest go first; one response may take an eighth of it) and each
/// for at most <c>RESPONSE_STORE_MAX_AGE_SECONDS</c>. A response is found only with the client key that made it.
/// The store is this Edge's own: behind several Edges, a client's continuations must reach the Edge that served it.
/// </summary>
public sealed class ResponseStore(EdgeOptions options, TimeProvider time)
{
    // What an entry costs besides its items: the node, the record, the dictionary slot, the strings' headers.
    private const int EntryOverhead = 256;

    private static readonly Gauge StoredBytes = Metrics.CreateGauge("multicodex_edge_response_store_bytes",
        "Memory the stored responses (for previous_response_id) take, as counted against RESPONSE_STORE_MAX_BYTES.");

    private static readonly Gauge StoredCount = Metrics.CreateGauge("multicodex_edge_response_store_responses",
        "Responses stored for previous_response_id.");

    private readonly Lock _gate = new();
    private readonly Dictionary<(string KeyId, string Id), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _oldestFirst = new();
    private long _bytes;

    /// <summary>False when <c>RESPONSE_STORE_MAX_BYTES</c> is 0: nothing is stored, every continuation is refused.</summary>
    public bool Enabled => options.ResponseStoreMaxBytes > 0;

    /// <summary>How long a response is kept.</summary>
    public TimeSpan MaxAge => options.ResponseStoreMaxAge;

    /// <summary>The largest response kept: an eighth of the whole, so one conversation cannot push out every other.</summary>
    public long MaxResponseBytes => options.ResponseStoreMaxBytes / 8;

    /// <summary>The response <paramref name="id"/> served to the key <paramref name="keyId"/>, unless it expired or was pushed out.</summary>
    public StoredResponse? Find(string keyId, string id)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue((keyId, id), out var node))
            {
                return null;
            }
            if (node.Value.Response.StoredAt + MaxAge <= now)
            {
                Remove(node);
                Publish();
                return null;
            }
            return node.Value.Response;
        }
    }

    /// <summary>Keeps a response for the key that made it; false when it is larger than <see cref="MaxResponseBytes"/>.</summary>
    public bool Add(string keyId, StoredResponse response)
    {
        var size = Size(keyId, response);
        if (!Enabled || size > MaxResponseBytes)
        {
            return false;
        }
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.TryGetValue((keyId, response.Id), out var same))
            {
                Remove(same);
            }
            // Oldest first: the expired ones, then as many as the new one needs room for.
            while (_oldestFirst.First is { } oldest
                && (oldest.Value.Response.StoredAt + MaxAge <= now || _bytes + size > options.ResponseStoreMaxBytes))
            {
                Remove(oldest);
            }
            _entries[(keyId, response.Id)] = _oldestFirst.AddLast(new Entry(keyId, response, size));
            _bytes += size;
            Publish();
        }
        return true;
    }

    /// <summary>What an entry is counted as: its items, its strings (UTF-16) and a fixed overhead.</summary>
    public static long Size(string keyId, StoredResponse response) =>
        response.Items.Length + (2L * (keyId.Length + response.Id.Length + (response.ConversationKey?.Length ?? 0))) + EntryOverhead;

    private void Remove(LinkedListNode<Entry> node)
    {
        _oldestFirst.Remove(node);
        _entries.Remove((node.Value.KeyId, node.Value.Response.Id));
        _bytes -= node.Value.Size;
    }

    private void Publish()
    {
        StoredBytes.Set(_bytes);
        StoredCount.Set(_entries.Count);
    }

    private sealed record Entry(string KeyId, StoredResponse Response, long Size);
}
