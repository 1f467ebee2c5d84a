using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.V1.Chat;

/// <summary>
/// Translates an OpenAI Chat Completions request into a ChatGPT Codex Responses request (docs/upstream-responses.md §2.3, §7.1).
/// </summary>
/// <remarks>
/// <para>Mapped: <c>messages</c> → <c>input</c> (see <see cref="ChatMessageMapper"/>), <c>tools</c>,
/// <c>tool_choice</c>, <c>parallel_tool_calls</c>, <c>response_format</c> → <c>text.format</c>, <c>verbosity</c> →
/// <c>text.verbosity</c>, <c>reasoning_effort</c> → <c>reasoning.effort</c>, <c>prompt_cache_key</c>.</para>
/// <para>Dropped on purpose, because the upstream rejects or ignores them and every peer proxy strips them:
/// <c>max_tokens</c>, <c>max_completion_tokens</c>, <c>temperature</c>, <c>top_p</c>, <c>presence_penalty</c>,
/// <c>frequency_penalty</c>, <c>logit_bias</c>, <c>seed</c>, <c>user</c>, <c>metadata</c>, <c>stop</c>,
/// <c>logprobs</c>, <c>top_logprobs</c>, <c>service_tier</c>, <c>store</c>, <c>safety_identifier</c>,
/// <c>prompt_cache_retention</c>, <c>modalities</c>, <c>audio</c>, <c>prediction</c>, <c>web_search_options</c>.
/// Unknown fields are ignored too, rather than failing the request as OpenAI does.</para>
/// <para><c>instructions</c> and <c>include</c> are left to the Edge's normaliser; <c>store:false</c> and
/// <c>stream:true</c> are set here because the upstream requires them whatever the client asked.</para>
/// </remarks>
public static class ChatRequestTranslator
{
    /// <summary>Validates and translates one request. The input is not modified.</summary>
    /// <param name="chatRequest">The parsed JSON body of <c>POST /v1/chat/completions</c>.</param>
    /// <returns>The upstream body with the client's model and streaming choices, or an OpenAI-style error.</returns>
    public static ChatRequestTranslation Translate(JsonObject chatRequest)
    {
        ArgumentNullException.ThrowIfNull(chatRequest);
        try
        {
            return Map(chatRequest);
        }
        catch (ChatRequestException e)
        {
            return ChatRequestTranslation.Invalid(new ChatRequestError(e.Message, e.Param));
        }
    }

    private static ChatRequestTranslation Map(JsonObject request)
    {
        var model = request["model"] is null
            ? throw new ChatRequestException("you must provide a model parameter", "model")
            : ChatJson.RequireString(request, "model", "");
        RejectLegacyFunctions(request);
        RequireSingleChoice(request);
        var stream = ChatJson.OptionalBool(request, "stream", "") ?? false;
        var streamOptions = ChatJson.OptionalObject(request, "stream_options", "");
        var includeUsage = streamOptions is not null && (ChatJson.OptionalBool(streamOptions, "include_usage", "stream_options") ?? false);

        var body = new JsonObject
        {
            ["model"] = model,
            ["input"] = ChatMessageMapper.Map(request["messages"]),
        };
        ChatToolMapper.AddTools(request, body);
        AddText(request, body);
        if (ChatJson.OptionalString(request, "reasoning_effort", "") is { } effort)
        {
            body["reasoning"] = new JsonObject { ["effort"] = effort };
        }

        if (ChatJson.OptionalString(request, "prompt_cache_key", "") is { } cacheKey)
        {
            body["prompt_cache_key"] = cacheKey;
        }

        body["store"] = false;
        body["stream"] = true;
        return ChatRequestTranslation.Valid(body, model, stream, includeUsage);
    }

    private static void AddText(JsonObject request, JsonObject body)
    {
        var format = ChatToolMapper.MapResponseFormat(request);
        var verbosity = ChatJson.OptionalString(request, "verbosity", "");
        if (format is null && verbosity is null)
        {
            return;
        }

        var text = new JsonObject();
        if (format is not null)
        {
            text["format"] = format;
        }

        if (verbosity is not null)
        {
            text["verbosity"] = verbosity;
        }

        body["text"] = text;
    }

    private static void RequireSingleChoice(JsonObject request)
    {
        var n = request["n"];
        if (n is null)
        {
            return;
        }

        // Parsed from its text so that any CLR number type backing the node (int, long, JsonElement) reads the same.
        if (n.GetValueKind() != JsonValueKind.Number
            || !int.TryParse(n.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            throw ChatJson.InvalidType("n", "an integer", n);
        }

        if (count != 1)
        {
            // The upstream produces exactly one output per response; faking n > 1 would need n upstream calls.
            throw new ChatRequestException($"Invalid 'n': only n=1 is supported, but got {count}.", "n");
        }
    }

    private static void RejectLegacyFunctions(JsonObject request)
    {
        // The deprecated functions API has no call ids, so its answers could not be paired with the upstream's
        // function_call items; clients that still send it get a clear pointer to tools instead of a silent drop.
        foreach (var name in (ReadOnlySpan<string>)["functions", "function_call"])
        {
            if (request[name] is not null)
            {
                throw new ChatRequestException(
                    $"The deprecated '{name}' parameter is not supported; use 'tools' and 'tool_choice' instead.", name);
            }
        }
    }
}
