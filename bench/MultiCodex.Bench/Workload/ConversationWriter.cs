using System.Globalization;
using System.Text;
using System.Text.Json;
using static MultiCodex.Bench.Workload.Payloads;

namespace MultiCodex.Bench.Workload;

/// <summary>
/// Writes one long, deterministic Codex conversation, as Responses input items or as Chat Completions messages.
/// Items cycle: user message, reasoning, shell call, its output, assistant message; text sizes scale with
/// <paramref name="unit"/> (characters).
/// </summary>
internal sealed class ConversationWriter(int unit)
{
    public static readonly string Instructions = string.Join("\n", Enumerable.Range(1, 120).Select(i =>
        $"{i}. You are Codex, a coding agent: read the repository, run commands with the shell tool, keep changes small, and explain <why> & 'how' in plain words (+ tests)."));

    private static readonly string[] Vocabulary =
    [
        "the", "function", "returns", "a", "value", "when", "<T>", "is", "null", "&&", "count", "+", "1", "it's", "naïve", "café", "Grüße",
        "中文", "日本語", "—", "«quoted»", "file", "src/Edge/Pipeline.cs", "line", "42", "error:", "expected", "';'", "x < y", "a > b", "🚀",
        "build", "passed", "test", "failed", "because", "of", "the", "timeout", "\"quoted\"", "path\\to\\file", "ok",
        // Mostly plain code words, as in a real session.
        "var", "result", "await", "client", "request", "response", "stream", "async", "public", "sealed", "class", "return", "if", "else",
        "foreach", "item", "items", "string", "int", "bool", "true", "false", "using", "namespace", "options", "config", "index", "length",
        "read", "write", "buffer", "bytes", "json", "parse", "event", "events", "handler", "service", "account", "lease", "token", "model",
    ];

    private readonly Random _random = new(20_261_124);

    public void WriteResponsesItems(Utf8JsonWriter w, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var callId = CallId(i);
            switch (i % 5)
            {
                case 0:
                    ResponsesMessage(w, "user", "input_text", Text(i, unit / 2));
                    break;
                case 1:
                    w.WriteStartObject();
                    w.WriteString("type", "reasoning");
                    w.WriteStartArray("summary");
                    w.WriteStartObject();
                    w.WriteString("type", "summary_text");
                    Str(w, "text", Text(i, unit / 4));
                    w.WriteEndObject();
                    w.WriteEndArray();
                    Str(w, "encrypted_content", Encrypted(unit / 2));
                    w.WriteEndObject();
                    break;
                case 2:
                    w.WriteStartObject();
                    w.WriteString("type", "function_call");
                    w.WriteString("name", "shell");
                    Str(w, "arguments", ShellArguments(i));
                    w.WriteString("call_id", callId);
                    w.WriteEndObject();
                    break;
                case 3:
                    w.WriteStartObject();
                    w.WriteString("type", "function_call_output");
                    w.WriteString("call_id", CallId(i - 1));
                    Str(w, "output", Text(i, unit * 2, last: i == count - 2));
                    w.WriteEndObject();
                    break;
                default:
                    ResponsesMessage(w, "assistant", "output_text", Text(i, unit, last: i == count - 1));
                    break;
            }
        }
    }

    public void WriteChatMessages(Utf8JsonWriter w, int count)
    {
        for (var i = 0; i < count; i++)
        {
            switch (i % 5)
            {
                case 0:
                    ChatMessage(w, "user", Text(i, unit / 2));
                    break;
                case 1:
                    // Chat has no reasoning items: the summary travels as assistant text, the encrypted part is dropped.
                    ChatMessage(w, "assistant", Text(i, unit / 4) + " " + Encrypted(unit / 2));
                    break;
                case 2:
                    w.WriteStartObject();
                    w.WriteString("role", "assistant");
                    w.WriteNull("content");
                    w.WriteStartArray("tool_calls");
                    w.WriteStartObject();
                    w.WriteString("id", CallId(i));
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", "shell");
                    Str(w, "arguments", ShellArguments(i));
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                    break;
                case 3:
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", CallId(i - 1));
                    Str(w, "content", Text(i, unit * 2, last: i == count - 2));
                    w.WriteEndObject();
                    break;
                default:
                    ChatMessage(w, "assistant", Text(i, unit, last: i == count - 1));
                    break;
            }
        }
    }

    public static void ResponsesMessage(Utf8JsonWriter w, string role, string partType, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteString("role", role);
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", partType);
        Str(w, "text", text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void ChatMessage(Utf8JsonWriter w, string role, string text)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        Str(w, "content", text);
        w.WriteEndObject();
    }

    /// <summary>Function tools with JSON-schema parameters, in the Responses (flat) or Chat (nested) shape.</summary>
    public static void WriteTools(Utf8JsonWriter w, int count, bool chat)
    {
        string[] names = ["shell", "apply_patch", "read_file", "list_dir", "grep_files", "view_image", "update_plan", "web_search",
            "write_stdin", "exec_command", "mcp_call", "request_user_input"];
        for (var i = 0; i < count; i++)
        {
            var name = names[i % names.Length] + (i < names.Length ? "" : "_" + i.ToString(CultureInfo.InvariantCulture));
            w.WriteStartObject();
            w.WriteString("type", "function");
            if (chat)
            {
                w.WriteStartObject("function");
            }
            w.WriteString("name", name);
            Str(w, "description", $"Runs {name}: use it when the task needs it; output is returned as text (<stdout> & 'stderr' + exit code).");
            if (!chat)
            {
                w.WriteBoolean("strict", false);
            }
            w.WriteStartObject("parameters");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            foreach (var property in (string[])["command", "workdir", "timeout_ms", "justification"])
            {
                w.WriteStartObject(property);
                w.WriteString("type", property == "timeout_ms" ? "number" : "string");
                Str(w, "description", $"The {property} of this {name} call; see the instructions for the rules.");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("required");
            w.WriteStringValue("command");
            w.WriteEndArray();
            w.WriteBoolean("additionalProperties", false);
            w.WriteEndObject();
            if (chat)
            {
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }

    private static string CallId(int index) => "call_" + index.ToString("D6", CultureInfo.InvariantCulture);

    private static string ShellArguments(int index) =>
        $$"""{"command":["bash","-lc","rg -n 'Pipeline<T>' src | head -{{index % 40 + 5}}"],"workdir":"/home/dev/project","timeout_ms":10000}""";

    private string Text(int index, int length, bool last = false)
    {
        var text = new StringBuilder(length + 64);
        if (index == 0 || last)
        {
            text.Append(Sentinel).Append(' ');
        }
        while (text.Length < length)
        {
            text.Append(Vocabulary[_random.Next(Vocabulary.Length)]).Append(_random.Next(12) == 0 ? "\n" : " ");
        }
        return text.ToString();
    }

    private string Encrypted(int length)
    {
        var bytes = new byte[length * 3 / 4];
        _random.NextBytes(bytes);
        return "gAAAAA" + Convert.ToBase64String(bytes);
    }
}
