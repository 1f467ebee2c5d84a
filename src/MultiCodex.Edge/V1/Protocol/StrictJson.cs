using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// Reads client JSON as strictly as OpenAI does, on top of <see cref="Utf8JsonReader"/>: the text must be valid
/// UTF-8 (the reader does not check inside strings) and no object may name a key twice, at any depth. Two parsers
/// may read a duplicated key differently (first or last wins), so a body the upstream would read otherwise than
/// the Edge is refused rather than forwarded (issue #10).
/// </summary>
public static class StrictJson
{
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
        catch (Exception e) when (e is JsonException or DuplicateKeyException)
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
        Utf8.IsValid(json) ? null : ClientError.InvalidRequest("The request body is not valid UTF-8 text; JSON must be encoded in UTF-8.");

    /// <summary>The 400 for a body that failed to read: its line and position, or the key given twice.</summary>
    public static ClientError NotJson(Exception? e) => e switch
    {
        DuplicateKeyException duplicate => ClientError.InvalidRequest(
            $"The request body is not valid JSON: the key '{duplicate.Key}' appears twice in one object.", duplicate.Key),
        JsonException json => ClientError.InvalidRequest(
            $"The request body is not valid JSON (line {json.LineNumber + 1}, position {json.BytePositionInLine}).", null),
        _ => ClientError.InvalidRequest("The request body is empty; send a JSON object."),
    };

    /// <summary>Reads the value the reader is on to its last token, checking the keys of every object in it.</summary>
    /// <exception cref="DuplicateKeyException">An object in it names a key twice.</exception>
    public static void SkipValue(ref Utf8JsonReader reader, JsonKeyGuard keys)
    {
        var kind = reader.TokenType;
        if (kind is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
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
