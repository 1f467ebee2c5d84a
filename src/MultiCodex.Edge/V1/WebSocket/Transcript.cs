using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// What one client socket's conversation holds so far, so a continuation can be sent as a full request wherever
/// it must go (a new upstream socket, another account, upstream HTTP) without the client noticing: the input
/// items of the latest response that ended and its output items, as the bytes they came in (docs/websocket.md,
/// "Transcripts"). Bounded per socket (the largest request body) and, through <see cref="TranscriptBudget"/>, for
/// the whole Edge; a transcript that does not fit is dropped until the next full frame starts a new one, and a
/// continuation that must move then asks the client to resend its history (<c>previous_response_not_found</c>).
/// Used by one response at a time: not thread-safe.
/// </summary>
internal sealed class Transcript(TranscriptBudget budget, long maxBytes) : IDisposable
{
    private PooledBuffer? _items; // comma-separated input and output items of the latest response that ended
    private long _reserved;

    /// <summary>The id of the latest response that ended and may be continued; null before the first one.</summary>
    public string? LastResponseId { get; private set; }

    /// <summary>The bytes held.</summary>
    public long Bytes => _items?.Length ?? 0;

    /// <summary>
    /// The items a frame builds on: none for a full frame; for a continuation of the latest response, the items so
    /// far. False when the frame continues a response whose items are not held.
    /// </summary>
    public bool TryPrior(ResponseCreateFrame frame, out ReadOnlyMemory<byte> prior)
    {
        prior = default;
        if (frame.PreviousResponseId is null)
        {
            return true;
        }
        if (frame.PreviousResponseId != LastResponseId || _items is null)
        {
            return false;
        }
        prior = _items.Memory;
        return true;
    }

    /// <summary>
    /// A response to <paramref name="frame"/> ended and may be continued: its input (the items before it, for a
    /// continuation, and the frame's own) and <paramref name="output"/> items become the transcript.
    /// </summary>
    public void Commit(ResponseCreateFrame frame, string responseId, ReadOnlySpan<byte> output)
    {
        var continues = frame.PreviousResponseId is not null;
        LastResponseId = responseId;
        if (continues && _items is null)
        {
            return; // lost earlier: it comes back with the next full frame
        }
        var kept = continues ? _items!.Length : 0;
        var grown = kept + Joined(kept, frame.Items.Length) + Joined(kept + frame.Items.Length, output.Length);
        if (grown > maxBytes || !budget.TryReserve(grown - _reserved))
        {
            Drop();
            return;
        }
        _reserved = grown;
        if (!continues)
        {
            _items ??= new PooledBuffer((int)Math.Min(grown, int.MaxValue));
            _items.Clear();
        }
        Append(frame.Items.Span);
        Append(output);
    }

    /// <summary>Forgets the items (the id is kept: the bound upstream socket may still continue it).</summary>
    public void Drop()
    {
        _items?.Dispose();
        _items = null;
        budget.Release(_reserved);
        _reserved = 0;
    }

    public void Dispose()
    {
        Drop();
        LastResponseId = null;
    }

    private void Append(ReadOnlySpan<byte> items)
    {
        if (items.IsEmpty)
        {
            return;
        }
        if (_items!.Length > 0)
        {
            _items.Write((byte)',');
        }
        _items.Write(items);
    }

    private static long Joined(long before, int length) => length == 0 ? 0 : before > 0 ? length + 1 : length;
}

/// <summary>
/// The memory every WebSocket transcript of this Edge may hold together (<c>RESPONSES_WEBSOCKET_TRANSCRIPT_BYTES</c>):
/// a few hundred long Codex sessions, with room to spare; past it, new growth is refused and that socket falls
/// back to <c>previous_response_not_found</c> on a failover.
/// </summary>
public sealed class TranscriptBudget(EdgeOptions options)
{
    private long _used;

    /// <summary>Bytes held by all transcripts now.</summary>
    public long Used => Interlocked.Read(ref _used);

    public long Limit => options.TranscriptBudgetBytes;

    /// <summary>Takes <paramref name="bytes"/> more (or gives back, when negative); false when the budget has no room.</summary>
    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            var next = used + bytes;
            if (bytes > 0 && next > Limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _used, Math.Max(0, next), used) == used)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => TryReserve(-bytes);
}
