using System.Buffers;

namespace MultiCodex.Edge.Upstream;

/// <summary>
/// One server-sent event as it came from the upstream: its raw bytes (to pass through untouched), its
/// <c>event:</c> name and its <c>data:</c> payload. The memory is valid until the reader's next read.
/// </summary>
public readonly struct SseEvent(ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> type, ReadOnlyMemory<byte> data)
{
    /// <summary>The whole event, separator included, exactly as received.</summary>
    public ReadOnlyMemory<byte> Raw { get; } = raw;

    /// <summary>The <c>event:</c> value (may be empty; the JSON <c>type</c> then says what it is).</summary>
    public ReadOnlyMemory<byte> Type { get; } = type;

    /// <summary>The <c>data:</c> value (the JSON payload).</summary>
    public ReadOnlyMemory<byte> Data { get; } = data;

    public bool Is(ReadOnlySpan<byte> type) => Type.Span.SequenceEqual(type);

    public string TypeName => System.Text.Encoding.UTF8.GetString(Type.Span);
}

/// <summary>
/// Splits an upstream SSE body into events without copying or decoding what passes through: the buffer is
/// rented once, and an event is only a slice of it. <see cref="HasBufferedEvent"/> tells a writer whether the next
/// event is already here (write on) or the reader will wait on the network (flush first).
/// </summary>
public sealed class SseEventReader(Stream body) : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private const int MaxEventSize = 16 * 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;
    private int _scanned;

    /// <summary>True when a complete event is already buffered, so the next read will not wait.</summary>
    public bool HasBufferedEvent => FindSeparator(out _, out _);

    /// <summary>Reads the next event; null at the end of the body (a partial last event is dropped).</summary>
    /// <exception cref="InvalidDataException">An event larger than 16 MiB.</exception>
    public async ValueTask<SseEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (FindSeparator(out var eventEnd, out var separatorLength))
            {
                var raw = new ReadOnlyMemory<byte>(_buffer, _start, eventEnd + separatorLength - _start);
                var parsed = Parse(raw[..(eventEnd - _start)], raw);
                _start = eventEnd + separatorLength;
                _scanned = _start;
                if (parsed is { } sse)
                {
                    return sse;
                }
                continue; // a comment or keep-alive: nothing to hand on
            }
            Compact();
            if (_end == _buffer.Length)
            {
                Grow();
            }
            var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return null;
            }
            _end += read;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Events end with a blank line: "\n\n" (the upstream's framing) or "\r\n\r\n".
    private bool FindSeparator(out int eventEnd, out int separatorLength)
    {
        var span = _buffer.AsSpan(_start, _end - _start);
        var from = Math.Max(0, _scanned - _start - 3);
        while (true)
        {
            var i = span[from..].IndexOf((byte)'\n');
            if (i < 0)
            {
                _scanned = _end;
                eventEnd = separatorLength = 0;
                return false;
            }
            var at = from + i;
            if (at + 1 < span.Length && span[at + 1] == '\n')
            {
                eventEnd = _start + at;
                separatorLength = 2;
                return true;
            }
            if (at + 2 < span.Length && span[at + 1] == '\r' && span[at + 2] == '\n')
            {
                eventEnd = _start + at + (at > 0 && span[at - 1] == '\r' ? -1 : 0);
                separatorLength = _start + at + 3 - eventEnd;
                return true;
            }
            from = at + 1;
        }
    }

    private static SseEvent? Parse(ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> raw)
    {
        ReadOnlyMemory<byte> type = default, data = default;
        var rest = lines;
        while (rest.Length > 0)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? default : rest[(newline + 1)..];
            if (line.Length > 0 && line.Span[^1] == '\r')
            {
                line = line[..^1];
            }
            if (line.Span.StartsWith("event:"u8))
            {
                type = Trim(line[6..]);
            }
            else if (line.Span.StartsWith("data:"u8))
            {
                // The upstream sends one data line per event; a multi-line payload keeps its first line only,
                // which is still passed through whole in Raw.
                data = data.IsEmpty ? Trim(line[5..]) : data;
            }
        }
        return type.IsEmpty && data.IsEmpty ? null : new SseEvent(raw, type, data);
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> value) =>
        value.Length > 0 && value.Span[0] == ' ' ? value[1..] : value;

    private void Compact()
    {
        if (_start == 0)
        {
            return;
        }
        var length = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, length);
        _scanned -= _start;
        _start = 0;
        _end = length;
    }

    private void Grow()
    {
        if (_buffer.Length >= MaxEventSize)
        {
            throw new InvalidDataException("An upstream event is larger than 16 MiB.");
        }
        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
