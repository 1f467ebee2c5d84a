using System.Text;
using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// The keys of every object still open while a document is read. Small objects are searched linearly; an object
/// past 16 keys gets a hash table, so a hostile body with a huge object costs linear time, not quadratic. One
/// instance per thread is reused (reading is synchronous), so a request allocates nothing here.
/// </summary>
public sealed class JsonKeyGuard
{
    private const int LinearLimit = 16;

    [ThreadStatic]
    private static JsonKeyGuard? t_cached;

    private byte[] _bytes = new byte[1024];
    private int _byteCount;
    private Entry[] _entries = new Entry[64];
    private int _entryCount;
    private Frame[] _frames = new Frame[16];
    private int _depth;

    public static JsonKeyGuard Rent()
    {
        var guard = t_cached ?? new JsonKeyGuard();
        t_cached = null;
        guard._byteCount = guard._entryCount = guard._depth = 0;
        return guard;
    }

    public void Return() => t_cached = this;

    public void EnterObject()
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }
        _frames[_depth++] = new Frame(_entryCount, _byteCount);
    }

    public void ExitObject()
    {
        var frame = _frames[--_depth];
        _entryCount = frame.FirstEntry;
        _byteCount = frame.FirstByte;
    }

    /// <summary>Adds the property name the reader is on to the innermost open object.</summary>
    /// <exception cref="DuplicateKeyException">That object has it already.</exception>
    /// <exception cref="LoneSurrogateException">The name escapes half a surrogate pair.</exception>
    public void Add(ref Utf8JsonReader reader)
    {
        StrictJson.CheckEscapes(in reader);
        var escapedLength = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_byteCount + escapedLength > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + escapedLength));
        }
        var length = reader.CopyString(_bytes.AsSpan(_byteCount));
        var name = _bytes.AsSpan(_byteCount, length);
        var hash = Hash(name);
        ref var frame = ref _frames[_depth - 1];
        var count = _entryCount - frame.FirstEntry;
        if (frame.Table is null && count < LinearLimit)
        {
            for (var i = frame.FirstEntry; i < _entryCount; i++)
            {
                if (_entries[i].Hash == hash && Name(i).SequenceEqual(name))
                {
                    throw new DuplicateKeyException(Encoding.UTF8.GetString(name));
                }
            }
        }
        else
        {
            if (frame.Table is null || (count + 1) * 2 > frame.Table.Length)
            {
                Rehash(ref frame, count + 1);
            }
            if (Find(frame.Table!, hash, name) >= 0)
            {
                throw new DuplicateKeyException(Encoding.UTF8.GetString(name));
            }
            Insert(frame.Table!, hash, _entryCount);
        }
        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entryCount * 2);
        }
        _entries[_entryCount++] = new Entry(hash, _byteCount, length);
        _byteCount += length;
    }

    private ReadOnlySpan<byte> Name(int entry) => _bytes.AsSpan(_entries[entry].Offset, _entries[entry].Length);

    // The table holds entry index + 1 (0 = free), open addressing with linear probing.
    private int Find(int[] table, int hash, ReadOnlySpan<byte> name)
    {
        var mask = table.Length - 1;
        for (var slot = hash & mask; table[slot] != 0; slot = (slot + 1) & mask)
        {
            var entry = table[slot] - 1;
            if (_entries[entry].Hash == hash && Name(entry).SequenceEqual(name))
            {
                return entry;
            }
        }
        return -1;
    }

    private static void Insert(int[] table, int hash, int entry)
    {
        var mask = table.Length - 1;
        var slot = hash & mask;
        while (table[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }
        table[slot] = entry + 1;
    }

    private void Rehash(ref Frame frame, int count)
    {
        var table = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, count * 4))];
        for (var i = frame.FirstEntry; i < _entryCount; i++)
        {
            Insert(table, _entries[i].Hash, i);
        }
        frame.Table = table;
    }

    private static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = new HashCode(); // seeded per process: a body cannot be built to collide
        hash.AddBytes(name);
        return hash.ToHashCode();
    }

    private readonly record struct Entry(int Hash, int Offset, int Length);

    private struct Frame(int firstEntry, int firstByte)
    {
        public readonly int FirstEntry = firstEntry;
        public readonly int FirstByte = firstByte;
        public int[]? Table;
    }
}
