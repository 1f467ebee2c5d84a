using System.Buffers;
using System.Runtime.CompilerServices;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// One server-sent event as it came from the upstream: its raw bytes (to pass through untouched), its
/// <c>event:</c> name and its <c>data:</c> payload. The memory is valid until the reader's next read.
/// </summary>
public readonly struct SseEvent(ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> type, ReadOnlyMemory<byte> data)
{
    /// <summary>The whole event, the blank line that ends it included, exactly as received.</summary>
    public ReadOnlyMemory<byte> Raw { get; } = raw;

    /// <summary>The <c>event:</c> value (may be empty; the JSON <c>type</c> then says what it is).</summary>
    public ReadOnlyMemory<byte> Type { get; } = type;

    /// <summary>The <c>data:</c> value (the JSON payload); several data lines are joined with a line feed.</summary>
    public ReadOnlyMemory<byte> Data { get; } = data;
}

/// <summary>
/// Splits an upstream SSE body into events without copying or decoding what passes through: the buffer is rented
/// once, and an event is a slice of it. Lines may end in LF or CRLF (a bare CR is not a line end here: no upstream
/// sends it); comment lines (<c>:</c>) and blank keep-alives are skipped; <c>id:</c> and <c>retry:</c> are ignored.
/// <see cref="HasBufferedEvent"/> tells a writer whether the next event is already here (write on) or the reader
/// will wait on the network (flush first).
/// </summary>
public sealed class SseEventReader(Stream body) : IDisposable
{
    /// <summary>The largest event accepted; a bigger one is an <see cref="InvalidDataException"/>.</summary>
    public const int MaxEventSize = 16 * 1024 * 1024;

    private const int InitialSize = 16 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    private int _start;
    private int _end;
    private int _scanned; // where the search for the next blank line resumes (absolute index into _buffer)
    private int _eventEnd = -1; // end of a found event's lines, not consumed yet
    private int _separatorLength;
    private PooledBuffer? _joined; // the data of an event with several data lines

    /// <summary>True when a complete event is already buffered, so the next read will not wait.</summary>
    public bool HasBufferedEvent => _eventEnd >= 0 || FindSeparator();

    /// <summary>Reads the next event; null at the end of the body (a partial last event is dropped).</summary>
    /// <exception cref="InvalidDataException">An event larger than <see cref="MaxEventSize"/>.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SseEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_eventEnd >= 0 || FindSeparator())
            {
                if (_eventEnd - _start > MaxEventSize)
                {
                    throw TooLarge();
                }
                var raw = new ReadOnlyMemory<byte>(_buffer, _start, _eventEnd + _separatorLength - _start);
                var lines = raw[..(_eventEnd - _start)];
                _start += raw.Length;
                _scanned = _start;
                _eventEnd = -1;
                if (Parse(lines, raw) is { } sse)
                {
                    return sse;
                }
                continue; // a comment or a keep-alive: nothing to hand on
            }
            if (_end - _start > MaxEventSize)
            {
                throw TooLarge();
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

    private static InvalidDataException TooLarge() => new($"An upstream event is larger than {MaxEventSize / (1024 * 1024)} MiB.");

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _joined?.Dispose();
    }

    // An event ends at a blank line: LF LF, or LF CR LF (then a CR before the first LF belongs to the terminator too).
    private bool FindSeparator()
    {
        var from = _scanned;
        while (true)
        {
            var i = _buffer.AsSpan(from, _end - from).IndexOf((byte)'\n');
            if (i < 0)
            {
                _scanned = _end;
                return false;
            }
            var at = from + i;
            if (at + 1 >= _end)
            {
                _scanned = at; // decided once the next byte is here
                return false;
            }
            if (_buffer[at + 1] == '\n')
            {
                _separatorLength = 2;
            }
            else if (_buffer[at + 1] == '\r')
            {
                if (at + 2 >= _end)
                {
                    _scanned = at;
                    return false;
                }
                if (_buffer[at + 2] != '\n')
                {
                    from = at + 1;
                    continue;
                }
                _separatorLength = 3;
            }
            else
            {
                from = at + 1;
                continue;
            }
            _eventEnd = at;
            if (at > _start && _buffer[at - 1] == '\r')
            {
                _eventEnd--;
                _separatorLength++;
            }
            return true;
        }
    }

    private SseEvent? Parse(ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> raw)
    {
        ReadOnlyMemory<byte> type = default, data = default;
        var dataLines = 0;
        var rest = lines;
        while (!rest.IsEmpty)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
            if (!line.IsEmpty && line.Span[^1] == '\r')
            {
                line = line[..^1];
            }
            if (line.IsEmpty || line.Span[0] == ':')
            {
                continue;
            }
            var colon = line.Span.IndexOf((byte)':');
            var value = colon < 0 ? ReadOnlyMemory<byte>.Empty : line[(colon + 1)..];
            if (!value.IsEmpty && value.Span[0] == ' ')
            {
                value = value[1..];
            }
            var name = colon < 0 ? line.Span : line.Span[..colon];
            if (name.SequenceEqual("data"u8))
            {
                data = ++dataLines == 1 ? value : Join(data, value, dataLines);
            }
            else if (name.SequenceEqual("event"u8))
            {
                type = value;
            }
        }
        return dataLines == 0 && type.IsEmpty ? null : new SseEvent(raw, type, data);
    }

    // Rare: the upstream sends one data line per event; several are joined with LF, as the SSE standard says.
    private ReadOnlyMemory<byte> Join(ReadOnlyMemory<byte> sofar, ReadOnlyMemory<byte> next, int count)
    {
        _joined ??= new PooledBuffer(sofar.Length + next.Length + 1);
        if (count == 2)
        {
            _joined.Clear();
            _joined.Write(sofar.Span);
        }
        _joined.Write((byte)'\n');
        _joined.Write(next.Span);
        return _joined.Memory;
    }

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
        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
