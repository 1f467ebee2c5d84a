using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Maps <c>tools</c>, <c>tool_choice</c>, <c>parallel_tool_calls</c> and <c>response_format</c>: Chat Completions
/// nests each function under <c>function</c> (or <c>json_schema</c>), the Responses API flattens it.
/// </summary>
internal static class ChatToolMapper
{
    public static void AddTools(JsonObject request, JsonObject body)
    {
        switch (request["tools"])
        {
            case null:
                break;
            case JsonArray { Count: > 0 } tools:
                var mapped = new JsonArray();
                for (var i = 0; i < tools.Count; i++)
                {
                    mapped.Add(MapTool(tools[i], $"tools[{i}]"));
                }

                body["tools"] = mapped;
                break;
            case JsonArray:
                break;
            case var other:
                throw ChatJson.InvalidType("tools", "an array", other);
        }

        if (request["tool_choice"] is { } choice)
        {
            body["tool_choice"] = MapToolChoice(choice);
        }

        if (ChatJson.OptionalBool(request, "parallel_tool_calls", "") is { } parallel)
        {
            body["parallel_tool_calls"] = parallel;
        }
    }

    /// <summary>Maps <c>response_format</c> to a Responses <c>text.format</c>, or null when absent.</summary>
    public static JsonObject? MapResponseFormat(JsonObject request)
    {
        if (ChatJson.OptionalObject(request, "response_format", "") is not { } format)
        {
            return null;
        }

        var type = ChatJson.RequireString(format, "type", "response_format");
        switch (type)
        {
            case "text" or "json_object":
                return new JsonObject { ["type"] = type };
            case "json_schema":
                var schema = ChatJson.RequireObject(format, "json_schema", "response_format");
                const string Path = "response_format.json_schema";
                var mapped = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["name"] = ChatJson.RequireString(schema, "name", Path),
                    ["schema"] = ChatJson.OptionalObject(schema, "schema", Path)?.DeepClone() ?? new JsonObject(),
                    // Explicit because the two APIs' defaults have drifted; false is the Chat Completions default.
                    ["strict"] = ChatJson.OptionalBool(schema, "strict", Path) ?? false,
                };
                if (ChatJson.OptionalString(schema, "description", Path) is { } description)
                {
                    mapped["description"] = description;
                }

                return mapped;
            default:
                throw ChatJson.InvalidValue("response_format.type", type, "'text', 'json_object', and 'json_schema'");
        }
    }

    private static JsonObject MapTool(JsonNode? node, string path)
    {
        var tool = ChatJson.AsObject(node, path);
        var type = ChatJson.RequireString(tool, "type", path);
        if (type != "function")
        {
            // Custom (free-form) and hosted tools have no Chat Completions streaming shape this proxy produces.
            throw ChatJson.InvalidValue($"{path}.type", type, "'function'");
        }

        var function = ChatJson.RequireObject(tool, "function", path);
        var functionPath = $"{path}.function";
        var mapped = new JsonObject
        {
            ["type"] = "function",
            ["name"] = ChatJson.RequireString(function, "name", functionPath),
        };
        if (ChatJson.OptionalString(function, "description", functionPath) is { } description)
        {
            mapped["description"] = description;
        }

        // Responses requires parameters; Chat Completions lets a function without arguments omit them.
        mapped["parameters"] = ChatJson.OptionalObject(function, "parameters", functionPath)?.DeepClone()
            ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };

        // Responses defaults strict to true, which rejects schemas that Chat Completions (default false) accepts,
        // such as ones without additionalProperties:false; so the Chat default is made explicit.
        mapped["strict"] = ChatJson.OptionalBool(function, "strict", functionPath) ?? false;
        return mapped;
    }

    private static JsonNode MapToolChoice(JsonNode choice)
    {
        if (choice is not JsonObject named)
        {
            var mode = ChatJson.AsString(choice, "tool_choice");
            return mode is "auto" or "none" or "required"
                ? mode
                : throw ChatJson.InvalidValue("tool_choice", mode, "'none', 'auto', and 'required'");
        }

        var type = ChatJson.RequireString(named, "type", "tool_choice");
        switch (type)
        {
            case "function":
                var function = ChatJson.RequireObject(named, "function", "tool_choice");
                return FunctionChoice(ChatJson.RequireString(function, "name", "tool_choice.function"));
            case "allowed_tools":
                return MapAllowedTools(ChatJson.RequireObject(named, "allowed_tools", "tool_choice"));
            default:
                throw ChatJson.InvalidValue("tool_choice.type", type, "'function' and 'allowed_tools'");
        }
    }

    private static JsonObject MapAllowedTools(JsonObject allowed)
    {
        const string Path = "tool_choice.allowed_tools";
        var tools = allowed["tools"] as JsonArray ?? throw ChatJson.InvalidType($"{Path}.tools", "an array", allowed["tools"]);
        var mapped = new JsonArray();
        for (var i = 0; i < tools.Count; i++)
        {
            var path = $"{Path}.tools[{i}]";
            var function = ChatJson.RequireObject(ChatJson.AsObject(tools[i], path), "function", path);
            mapped.Add(FunctionChoice(ChatJson.RequireString(function, "name", $"{path}.function")));
        }

        return new JsonObject
        {
            ["type"] = "allowed_tools",
            ["mode"] = ChatJson.OptionalString(allowed, "mode", Path) ?? "auto",
            ["tools"] = mapped,
        };
    }

    private static JsonObject FunctionChoice(string name) => new() { ["type"] = "function", ["name"] = name };
}
