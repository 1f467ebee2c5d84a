using System.Text.Json;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>Copies JSON string values as UTF-8 text without making a .NET string of them.</summary>
public static class Utf8Text
{
    /// <summary>Appends the text of the string token the reader is on, unescaped.</summary>
    public static void AppendUnescaped(ref Utf8JsonReader reader, PooledBuffer output)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            output.Write(reader.ValueSpan);
            return;
        }
        var length = reader.CopyString(output.GetSpan(reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length));
        output.Advance(length);
    }

    /// <summary>The part of <paramref name="full"/> after its first <paramref name="sent"/> bytes, starting on a whole character.</summary>
    public static ReadOnlySpan<byte> After(ReadOnlySpan<byte> full, int sent)
    {
        if (full.Length <= sent)
        {
            return default;
        }
        var rest = full[sent..];
        var skip = 0;
        while (skip < rest.Length && (rest[skip] & 0xC0) == 0x80)
        {
            skip++; // deltas that were not a prefix of the whole text: never start inside a character
        }
        return rest[skip..];
    }
}
