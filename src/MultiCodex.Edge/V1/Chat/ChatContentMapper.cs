using System.Text;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>Maps Chat Completions message content (a string or an array of parts) to Responses content parts.</summary>
internal static class ChatContentMapper
{
    private const string UserPartTypes = "'text', 'image_url', 'input_audio', and 'file'";

    /// <summary>System and developer content: text only, as in OpenAI's schema.</summary>
    public static JsonArray MapText(JsonNode? content, string path)
    {
        var parts = new JsonArray();
        switch (RequireContent(content, path))
        {
            case JsonArray array:
                for (var j = 0; j < array.Count; j++)
                {
                    var partPath = $"{path}[{j}]";
                    var part = ChatJson.AsObject(array[j], partPath);
                    var type = ChatJson.RequireString(part, "type", partPath);
                    parts.Add(type == "text"
                        ? TextPart("input_text", ChatJson.RequireString(part, "text", partPath))
                        : throw ChatJson.InvalidValue($"{partPath}.type", type, "'text'"));
                }

                break;
            case var text:
                parts.Add(TextPart("input_text", ContentString(text, path)));
                break;
        }

        return parts;
    }

    public static JsonArray MapUser(JsonNode? content, string path)
    {
        if (RequireContent(content, path) is not JsonArray array)
        {
            return [TextPart("input_text", ContentString(content!, path))];
        }

        var parts = new JsonArray();
        for (var j = 0; j < array.Count; j++)
        {
            parts.Add(MapInputPart(array[j], $"{path}[{j}]"));
        }

        return parts;
    }

    /// <summary>Assistant content: text and refusal parts, both sent back as <c>output_text</c>; empty text is skipped.</summary>
    public static JsonArray MapAssistant(JsonNode? content, string path)
    {
        var parts = new JsonArray();
        if (content is JsonArray array)
        {
            for (var j = 0; j < array.Count; j++)
            {
                var partPath = $"{path}[{j}]";
                var part = ChatJson.AsObject(array[j], partPath);
                var type = ChatJson.RequireString(part, "type", partPath);
                var text = type switch
                {
                    "text" => ChatJson.RequireString(part, "text", partPath),
                    "refusal" => ChatJson.RequireString(part, "refusal", partPath),
                    _ => throw ChatJson.InvalidValue($"{partPath}.type", type, "'text' and 'refusal'"),
                };
                AddOutputText(parts, text);
            }
        }
        else if (content is not null)
        {
            AddOutputText(parts, ContentString(content, path));
        }

        return parts;
    }

    /// <summary>
    /// Tool result content. Text parts are joined with newlines into the plain string every model handles (as
    /// ChatMock does); only when a result carries images or files is it sent as an array of input parts, which the
    /// Responses <c>function_call_output.output</c> also accepts.
    /// </summary>
    public static JsonNode MapToolOutput(JsonNode? content, string path)
    {
        if (content is not JsonArray array)
        {
            return content is null ? "" : ContentString(content, path);
        }

        var parts = new JsonArray();
        var textOnly = true;
        for (var j = 0; j < array.Count; j++)
        {
            var part = MapInputPart(array[j], $"{path}[{j}]");
            textOnly &= (string?)part["type"] == "input_text";
            parts.Add(part);
        }

        if (!textOnly)
        {
            return parts;
        }

        var joined = new StringBuilder();
        foreach (var part in parts)
        {
            joined.Append(joined.Length == 0 ? "" : "\n").Append((string?)part!["text"]);
        }

        return joined.ToString();
    }

    public static JsonObject OutputText(string text) => TextPart("output_text", text);

    private static JsonObject MapInputPart(JsonNode? node, string path)
    {
        var part = ChatJson.AsObject(node, path);
        var type = ChatJson.RequireString(part, "type", path);
        return type switch
        {
            "text" => TextPart("input_text", ChatJson.RequireString(part, "text", path)),
            "image_url" => MapImage(part, path),
            "input_audio" => MapAudio(part, path),
            "file" => MapFile(part, path),
            _ => throw ChatJson.InvalidValue($"{path}.type", type, UserPartTypes),
        };
    }

    private static JsonObject MapImage(JsonObject part, string path)
    {
        // OpenAI takes {url, detail}; many clients send the bare url string.
        string url;
        string? detail = null;
        if (part["image_url"] is JsonObject image)
        {
            url = ChatJson.RequireString(image, "url", $"{path}.image_url");
            detail = ChatJson.OptionalString(image, "detail", $"{path}.image_url");
        }
        else
        {
            url = ChatJson.RequireString(part, "image_url", path);
        }

        var mapped = new JsonObject { ["type"] = "input_image", ["image_url"] = url };
        if (detail is not null)
        {
            mapped["detail"] = detail;
        }

        return mapped;
    }

    private static JsonObject MapAudio(JsonObject part, string path)
    {
        // Passed on in the Responses shape; whether a Codex model accepts audio is the upstream's call.
        var audio = ChatJson.RequireObject(part, "input_audio", path);
        var audioPath = $"{path}.input_audio";
        return new JsonObject
        {
            ["type"] = "input_audio",
            ["input_audio"] = new JsonObject
            {
                ["data"] = ChatJson.RequireString(audio, "data", audioPath),
                ["format"] = ChatJson.RequireString(audio, "format", audioPath),
            },
        };
    }

    private static JsonObject MapFile(JsonObject part, string path)
    {
        var file = ChatJson.RequireObject(part, "file", path);
        var filePath = $"{path}.file";
        if (file["file_id"] is not null)
        {
            // Uploaded files live in an OpenAI platform account, which a ChatGPT account cannot read.
            throw new ChatRequestException("File references ('file_id') are not supported; send the file inline as 'file_data'.", $"{filePath}.file_id");
        }

        var mapped = new JsonObject { ["type"] = "input_file", ["file_data"] = ChatJson.RequireString(file, "file_data", filePath) };
        if (ChatJson.OptionalString(file, "filename", filePath) is { } filename)
        {
            mapped["filename"] = filename;
        }

        return mapped;
    }

    private static string ContentString(JsonNode content, string path) =>
        content is JsonValue value && value.TryGetValue(out string? text)
            ? text
            : throw ChatJson.InvalidType(path, "a string or an array of content parts", content);

    private static JsonNode RequireContent(JsonNode? content, string path) =>
        content ?? throw ChatJson.Missing(path);

    private static void AddOutputText(JsonArray parts, string text)
    {
        if (text.Length > 0)
        {
            parts.Add(OutputText(text));
        }
    }

    private static JsonObject TextPart(string type, string text) => new() { ["type"] = type, ["text"] = text };
}
