using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiCodex.Tests.Edge.Chat;

/// <summary>
/// Builds an upstream Responses SSE stream the way the ChatGPT Codex backend sends it (docs/upstream-responses.md §3.2):
/// every event carries its type, a rising <c>sequence_number</c>, and <c>item_id</c>/<c>output_index</c> where real.
/// </summary>
internal sealed class UpstreamScript
{
    public const string ResponseId = "resp_68a9c0ffee0123456789abcdef";

    public const string DefaultUsage =
        """{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":0},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":200},"total_tokens":1500}""";

    private readonly List<(string Type, JsonElement Data)> _events = [];

    public IReadOnlyList<(string Type, JsonElement Data)> Events => _events;

    public UpstreamScript Created() => Add("response.created", $$$"""{"response":{{{Response("in_progress", "[]", "null")}}}}""");

    public UpstreamScript InProgress() => Add("response.in_progress", $$$"""{"response":{{{Response("in_progress", "[]", "null")}}}}""");

    public UpstreamScript RateLimits() => Add("codex.rate_limits",
        """{"plan_type":"plus","rate_limits":{"allowed":true,"limit_reached":false,"primary":{"used_percent":61,"window_minutes":300,"reset_at":1700000300},"secondary":null},"credits":null,"metered_limit_name":"codex","limit_name":null}""");

    public UpstreamScript MessageAdded(int outputIndex, string itemId) => Add("response.output_item.added",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"message","status":"in_progress","content":[],"role":"assistant"}}""");

    public UpstreamScript ContentPartAdded(int outputIndex, string itemId) => Add("response.content_part.added",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}""");

    public UpstreamScript TextDelta(int outputIndex, string itemId, string delta) => Add("response.output_text.delta",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"content_index":0,"delta":{{{Str(delta)}}},"logprobs":[],"obfuscation":"x1Yz"}""");

    public UpstreamScript TextDone(int outputIndex, string itemId, string text) => Add("response.output_text.done",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"content_index":0,"text":{{{Str(text)}}},"logprobs":[]}""");

    public UpstreamScript MessageDone(int outputIndex, string itemId, string text) => Add("response.output_item.done",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":{{{Str(text)}}}}],"role":"assistant"}}""");

    public UpstreamScript RefusalDelta(int outputIndex, string itemId, string delta) => Add("response.refusal.delta",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"content_index":0,"delta":{{{Str(delta)}}}}""");

    public UpstreamScript RefusalMessageDone(int outputIndex, string itemId, string refusal) => Add("response.output_item.done",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"message","status":"completed","content":[{"type":"refusal","refusal":{{{Str(refusal)}}}}],"role":"assistant"}}""");

    public UpstreamScript ReasoningAdded(int outputIndex, string itemId) => Add("response.output_item.added",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"reasoning","summary":[],"encrypted_content":"gAAAAABo..."}}""");

    public UpstreamScript SummaryPartAdded(int outputIndex, string itemId, int summaryIndex) => Add("response.reasoning_summary_part.added",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"summary_index":{{{summaryIndex}}},"part":{"type":"summary_text","text":""}}""");

    public UpstreamScript SummaryDelta(int outputIndex, string itemId, int summaryIndex, string delta) => Add("response.reasoning_summary_text.delta",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"summary_index":{{{summaryIndex}}},"delta":{{{Str(delta)}}},"obfuscation":"Qm"}""");

    public UpstreamScript SummaryTextDone(int outputIndex, string itemId, int summaryIndex, string text) => Add("response.reasoning_summary_text.done",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"summary_index":{{{summaryIndex}}},"text":{{{Str(text)}}}}""");

    public UpstreamScript ReasoningDone(int outputIndex, string itemId, params string[] summaries) => Add("response.output_item.done",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"reasoning","summary":[{{{string.Join(",", summaries.Select(s => "{\"type\":\"summary_text\",\"text\":" + Str(s) + "}"))}}}],"encrypted_content":"gAAAAABo-enc"}}""");

    public UpstreamScript FunctionCallAdded(int outputIndex, string itemId, string callId, string name) => Add("response.output_item.added",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"function_call","status":"in_progress","arguments":"","call_id":"{{{callId}}}","name":"{{{name}}}"}}""");

    public UpstreamScript ArgumentsDelta(int outputIndex, string itemId, string delta) => Add("response.function_call_arguments.delta",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"delta":{{{Str(delta)}}},"obfuscation":"k"}""");

    public UpstreamScript ArgumentsDone(int outputIndex, string itemId, string arguments) => Add("response.function_call_arguments.done",
        $$$"""{"item_id":"{{{itemId}}}","output_index":{{{outputIndex}}},"arguments":{{{Str(arguments)}}}}""");

    public UpstreamScript FunctionCallDone(int outputIndex, string itemId, string callId, string name, string arguments) => Add("response.output_item.done",
        $$$"""{"output_index":{{{outputIndex}}},"item":{"id":"{{{itemId}}}","type":"function_call","status":"completed","arguments":{{{Str(arguments)}}},"call_id":"{{{callId}}}","name":"{{{name}}}"}}""");

    /// <summary>The terminal event; its <c>output</c> is empty, as the upstream may send it (§3.2).</summary>
    public UpstreamScript Completed(string usage = DefaultUsage) =>
        Add("response.completed", $$$"""{"response":{{{Response("completed", "[]", usage)}}}}""");

    public UpstreamScript Incomplete(string reason, string usage = DefaultUsage) => Add("response.incomplete",
        $$$"""{"response":{{{Response("incomplete", "[]", usage, incompleteDetails: "{\"reason\":\"" + reason + "\"}")}}}}""");

    public UpstreamScript Failed(string code, string message) => Add("response.failed",
        $$$"""{"response":{{{Response("failed", "[]", "null", error: "{\"code\":\"" + code + "\",\"message\":" + Str(message) + "}")}}}}""");

    public UpstreamScript Error(string code, string message) => Add("error",
        $$$"""{"code":"{{{code}}}","message":{{{Str(message)}}},"param":null}""");

    /// <summary>Adds an event; <paramref name="body"/> is the JSON object without <c>type</c> and <c>sequence_number</c>.</summary>
    public UpstreamScript Add(string type, string body)
    {
        var data = JsonNode.Parse(body)!.AsObject();
        var framed = new JsonObject { ["type"] = type, ["sequence_number"] = _events.Count };
        foreach (var (name, value) in data.ToList())
        {
            data.Remove(name);
            framed[name] = value;
        }

        _events.Add((type, JsonElement.Parse(framed.ToJsonString())));
        return this;
    }

    private static string Response(string status, string output, string usage, string error = "null", string incompleteDetails = "null") =>
        $$$"""{"id":"{{{ResponseId}}}","object":"response","created_at":1767225600,"status":"{{{status}}}","background":false,"error":{{{error}}},"incomplete_details":{{{incompleteDetails}}},"instructions":"","model":"gpt-5.5","output":{{{output}}},"parallel_tool_calls":true,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"tool_choice":"auto","tools":[],"usage":{{{usage}}}}""";

    private static string Str(string value) => JsonSerializer.Serialize(value);
}
