using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// Reads client JSON as strictly as OpenAI does, on top of <see cref="Utf8JsonReader"/>: the text must be valid
/// UTF-8 (the reader does not check inside strings), no object may name a key twice, at any depth, and no <c>\u</c>
/// escape may be half a surrogate pair. Two parsers may read a duplicated key differently (first or last wins), and
/// an escaped lone surrogate is no character at all (no string can hold it), so a body the upstream would read
/// otherwise than the Edge, or not at all, is refused rather than forwarded (issue #10).
/// </summary>
public static class StrictJson
{
    /// <summary>The error code of every body that is not strict JSON.</summary>
    public const string InvalidJsonCode = "invalid_json";

    /// <summary>Checks the whole text: UTF-8, one JSON value, no duplicate keys; the error for the client, or null.</summary>
    public static ClientError? Validate(ReadOnlySpan<byte> json)
    {
        if (CheckText(json) is { } invalid)
        {
            return invalid;
        }
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return NotJson(null);
        }
        var keys = JsonKeyGuard.Rent();
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read())
            {
                return NotJson(null);
            }
            SkipValue(ref reader, keys);
            reader.Read(); // anything after the value is a JsonException
            return null;
        }
        catch (Exception e) when (e is JsonException or DuplicateKeyException or LoneSurrogateException)
        {
            return NotJson(e);
        }
        finally
        {
            keys.Return();
        }
    }

    /// <summary>The text is UTF-8 (what JSON on the wire must be, RFC 8259 §8.1); null when it is.</summary>
    public static ClientError? CheckText(ReadOnlySpan<byte> json) =>
        Utf8.IsValid(json) ? null : ClientError.InvalidRequest("The request body is not valid UTF-8 text; JSON must be encoded in UTF-8.", code: InvalidJsonCode);

    /// <summary>The 400 for a body that failed to read: its line and position, the key given twice, or the broken escape.</summary>
    public static ClientError NotJson(Exception? e) => e switch
    {
        DuplicateKeyException duplicate => ClientError.InvalidRequest(
            $"The request body has the same key twice in one object: '{duplicate.Key}' appears twice; each key may appear once.", duplicate.Key, InvalidJsonCode),
        LoneSurrogateException => ClientError.InvalidRequest(
            "The request body has a \\u escape that is half a surrogate pair, which is no character; escape whole characters.", code: InvalidJsonCode),
        JsonException json => ClientError.InvalidRequest(
            $"The request body is not valid JSON (line {json.LineNumber + 1}, position {json.BytePositionInLine}).", code: InvalidJsonCode),
        _ => ClientError.InvalidRequest("The request body is empty; send a JSON object.", code: InvalidJsonCode),
    };

    /// <summary>Checks the string or property name the reader is on: its escapes must spell whole characters.</summary>
    /// <exception cref="LoneSurrogateException">A <c>\u</c> escape is half a surrogate pair.</exception>
    public static void CheckEscapes(ref readonly Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped && !EscapesAreText(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan))
        {
            throw new LoneSurrogateException();
        }
    }

    // The reader has checked the escapes' syntax (\uXXXX with four hex digits); this checks that a high surrogate is
    // followed by a low one and that no low one stands alone.
    private static bool EscapesAreText(ReadOnlySpan<byte> raw)
    {
        var i = raw.IndexOf((byte)'\\');
        while (i >= 0)
        {
            var next = i + 2;
            if (raw[i + 1] == 'u')
            {
                var unit = Hex4(raw.Slice(i + 2, 4));
                next = i + 6;
                if (unit is >= 0xDC00 and <= 0xDFFF)
                {
                    return false;
                }
                if (unit is >= 0xD800 and <= 0xDBFF)
                {
                    if (raw.Length < i + 12 || raw[i + 6] != '\\' || raw[i + 7] != 'u' || Hex4(raw.Slice(i + 8, 4)) is not (>= 0xDC00 and <= 0xDFFF))
                    {
                        return false;
                    }
                    next = i + 12;
                }
            }
            var rest = raw[next..].IndexOf((byte)'\\');
            i = rest < 0 ? -1 : next + rest;
        }
        return true;
    }

    private static int Hex4(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = (value << 4) | (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
        }
        return value;
    }

    /// <summary>Reads the value the reader is on to its last token, checking the keys of every object in it.</summary>
    /// <exception cref="DuplicateKeyException">An object in it names a key twice.</exception>
    public static void SkipValue(ref Utf8JsonReader reader, JsonKeyGuard keys)
    {
        var kind = reader.TokenType;
        if (kind is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            if (kind == JsonTokenType.String)
            {
                CheckEscapes(in reader);
            }
            return;
        }
        var depth = reader.CurrentDepth;
        if (kind == JsonTokenType.StartObject)
        {
            keys.EnterObject();
        }
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    keys.Add(ref reader);
                    break;
                case JsonTokenType.String:
                    CheckEscapes(in reader);
                    break;
                case JsonTokenType.StartObject:
                    keys.EnterObject();
                    break;
                case JsonTokenType.EndObject:
                    keys.ExitObject();
                    if (reader.CurrentDepth == depth)
                    {
                        return;
                    }
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == depth:
                    return;
            }
        }
    }
}

/// <summary>An object of the request names the same key twice.</summary>
public sealed class DuplicateKeyException(string key) : Exception($"The key '{key}' appears twice in one object.")
{
    public string Key { get; } = key;
}

/// <summary>A string of the request escapes half a surrogate pair (<c>"\ud800"</c>): valid JSON syntax, but no text.</summary>
public sealed class LoneSurrogateException() : Exception("A \\u escape is half a surrogate pair.");
