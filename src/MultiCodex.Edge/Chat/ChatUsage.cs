using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Edge.Chat;

/// <summary>Token usage mapped from a Responses <c>usage</c> object to Chat Completions names (§3.3, §7.2).</summary>
internal readonly record struct ChatUsage(long PromptTokens, long CompletionTokens, long TotalTokens, long CachedTokens, long ReasoningTokens)
{
    /// <summary>Reads <c>response.usage</c>; absent or null details count as zero.</summary>
    public static ChatUsage From(JsonElement usage)
    {
        // input_tokens already includes the cached ones, so it maps straight to prompt_tokens.
        var input = EventData.Long(usage, "input_tokens");
        var output = EventData.Long(usage, "output_tokens");
        var total = EventData.Long(usage, "total_tokens");
        return new ChatUsage(
            input,
            output,
            total > 0 ? total : input + output,
            EventData.Long(EventData.Get(usage, "input_tokens_details"), "cached_tokens"),
            EventData.Long(EventData.Get(usage, "output_tokens_details"), "reasoning_tokens"));
    }

    public JsonObject ToJson() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = TotalTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedTokens },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = ReasoningTokens },
    };
}
