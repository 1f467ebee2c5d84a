using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Tests.Support;

/// <summary>Request bodies shaped like what the Codex CLI 0.169/0.171 sends (docs/upstream-protocol.md §1, §3), and the POST around them.</summary>
internal static class ResponsesRequests
{
    public const string Path = "backend-api/codex/responses";

    public static JsonObject CodexLike(string prompt, string model = "gpt-5.5") => new()
    {
        ["model"] = model,
        ["stream"] = true,
        ["input"] = new JsonArray(
            Message("developer", "input_text", "You are Codex.", "model.base_instructions"),
            Message("user", "input_text", "<environment_context>cwd=/tmp</environment_context>", "environment_context"),
            Message("user", "input_text", prompt, "user_input")),
        ["tools"] = new JsonArray(
            new JsonObject { ["type"] = "function", ["name"] = "exec_command", ["description"] = "Run", ["strict"] = false, ["parameters"] = new JsonObject { ["type"] = "object" } },
            new JsonObject { ["type"] = "custom", ["name"] = "apply_patch", ["format"] = new JsonObject { ["type"] = "grammar", ["syntax"] = "lark", ["definition"] = "start: x" } },
            new JsonObject { ["type"] = "namespace", ["name"] = "multi_agent_v1", ["tools"] = new JsonArray() },
            new JsonObject { ["type"] = "web_search", ["external_web_access"] = false },
            new JsonObject { ["type"] = "tool_search" }),
        ["tool_choice"] = "auto",
        ["parallel_tool_calls"] = true,
        ["reasoning"] = new JsonObject { ["effort"] = "medium" },
        ["store"] = false,
        ["include"] = new JsonArray("reasoning.encrypted_content"),
        ["prompt_cache_key"] = Guid.NewGuid().ToString(),
        ["text"] = new JsonObject { ["verbosity"] = "low" },
        ["client_metadata"] = new JsonObject { ["x-codex-installation-id"] = Guid.NewGuid().ToString() },
    };

    public static HttpRequestMessage Post(SimAccount account, TokenSet tokens, JsonNode body, string? encoding = null)
    {
        var json = Encoding.UTF8.GetBytes(body.ToJsonString());
        var bytes = encoding switch
        {
            null => json,
            "zstd" => new ZstdSharp.Compressor().Wrap(json).ToArray(),
            "gzip" => Gzip(json),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        request.Headers.Add("ChatGPT-Account-ID", account.ChatGptAccountId);
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }

    private static JsonObject Message(string role, string partType, string text, string kind) => new()
    {
        ["type"] = "message",
        ["id"] = "msg_" + Guid.NewGuid().ToString("N"),
        ["role"] = role,
        ["content"] = new JsonArray(new JsonObject { ["type"] = partType, ["text"] = text }),
        ["internal_chat_message_metadata_passthrough"] = new JsonObject { ["content_item_kinds"] = new JsonArray(kind) },
    };

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
