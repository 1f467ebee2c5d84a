using System.Text;
using CsCheck;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Tests.Edge.V1;

/// <summary>The SSE reader hands on the same events however the bytes are cut, whatever line ends, comments and sizes come.</summary>
public sealed class SseEventReaderTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (20, Gen.Char["abcxyz{}\":,0123 é日"].Array[0, 40].Select(chars => new string(chars))),
        (1, Gen.Int[20_000, 200_000].Select(n => new string('x', n)))); // past the first buffer

    private static readonly Gen<Block> GenBlock = Gen.Frequency(
        (8, Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz._"].Array[0, 30].Select(c => new string(c)), Text.Array[1, 3], Gen.Bool,
            (type, data, named) => (Block)new EventBlock(named ? type : "", data))),
        (1, Gen.Char["abc ping"].Array[0, 10].Select(c => (Block)new CommentBlock(new string(c)))));

    private static readonly Gen<string[]> Ends = Gen.OneOf("\n", "\r\n").Array[64];

    [Fact]
    public void Events_SurviveAnyChunking_LineEndings_AndComments()
    {
        Gen.Select(GenBlock.Array[0, 12], Ends, Gen.Int[1, 4096].Array[1, 64]).Sample((blocks, ends, chunks) =>
        {
            var wire = new StringBuilder();
            var end = 0;
            string Next() => ends[end++ % ends.Length];
            foreach (var block in blocks)
            {
                wire.Append(block.Write(Next));
            }
            var read = ReadAll(Encoding.UTF8.GetBytes(wire.ToString()), chunks);
            var expected = blocks.OfType<EventBlock>().Where(e => e.Type.Length > 0 || e.Data.Length > 0)
                .Select(e => (e.Type, string.Join("\n", e.Data))).ToList();
            return read.Select(r => (r.Type, r.Data)).SequenceEqual(expected)
                && read.All(r => r.Raw.Contains(r.Data.Split('\n')[0], StringComparison.Ordinal));
        }, iter: 300);
    }

    [Fact]
    public async Task AnEventLargerThanTheLimit_IsInvalidData()
    {
        var huge = "data: " + new string('x', SseEventReader.MaxEventSize + 10) + "\n\n";
        using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(huge)));

        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task APartialLastEvent_IsDropped_AndTheRawBytesAreExact()
    {
        const string wire = "event: a\ndata: {\"x\":1}\n\n: keep-alive\n\nevent: b\r\ndata: 2\r\n\r\nevent: c\ndata: 3\n";
        using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(wire)));

        // An event's memory is valid until the next read: each is read out at once, as a writer does.
        var first = Encoding.UTF8.GetString((await reader.ReadAsync(CancellationToken.None))!.Value.Raw.Span);
        var second = (await reader.ReadAsync(CancellationToken.None))!.Value;
        var (secondRaw, secondData) = (Encoding.UTF8.GetString(second.Raw.Span), Encoding.UTF8.GetString(second.Data.Span));
        var end = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("event: a\ndata: {\"x\":1}\n\n", first);
        Assert.Equal("event: b\r\ndata: 2\r\n\r\n", secondRaw);
        Assert.Equal("2", secondData);
        Assert.Null(end);
    }

    private static List<(string Type, string Data, string Raw)> ReadAll(byte[] wire, int[] chunks)
    {
        using var reader = new SseEventReader(new ChunkedStream(wire, chunks));
        var events = new List<(string, string, string)>();
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } e)
        {
            events.Add((Encoding.UTF8.GetString(e.Type.Span), Encoding.UTF8.GetString(e.Data.Span), Encoding.UTF8.GetString(e.Raw.Span)));
        }
        return events;
    }

    private abstract record Block
    {
        public abstract string Write(Func<string> lineEnd);
    }

    private sealed record EventBlock(string Type, string[] Data) : Block
    {
        public override string Write(Func<string> lineEnd)
        {
            var text = new StringBuilder();
            if (Type.Length > 0)
            {
                text.Append("event: ").Append(Type).Append(lineEnd());
            }
            foreach (var line in Data)
            {
                text.Append("data: ").Append(line).Append(lineEnd());
            }
            return text.Append(lineEnd()).ToString();
        }
    }

    private sealed record CommentBlock(string Text) : Block
    {
        public override string Write(Func<string> lineEnd) => ":" + Text + lineEnd() + lineEnd();
    }

    /// <summary>A body that arrives in the given pieces, as a network would cut it.</summary>
    private sealed class ChunkedStream(byte[] bytes, int[] chunks) : Stream
    {
        private int _position;
        private int _chunk;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var size = Math.Min(Math.Min(count, chunks[_chunk++ % chunks.Length]), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, size);
            _position += size;
            return size;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
