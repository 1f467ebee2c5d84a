using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>The <c>/codex/models</c> catalog in the shape the Codex CLI 0.169 parses (codex-protocol.md §2.4 and
/// capture note 12): <c>model_messages.instructions_template</c>, <c>prefer_websockets</c>, no top-level
/// <c>base_instructions</c>. Entries are the fake's own, modelled on the real slugs.</summary>
internal static class ModelCatalog
{
    /// <summary>Base instructions codex sends back as its first developer message.</summary>
    public const string InstructionsTemplate =
        "You are Codex, a coding agent served by the MultiCodex simulator. Answer briefly.";

    private static readonly (string Slug, string Name, string Description, int Priority, bool Hidden)[] Entries =
    [
        ("gpt-5.6-sol", "GPT-5.6-Sol", "Frontier coding model.", 1, false),
        ("gpt-5.6-terra", "GPT-5.6-Terra", "Balanced coding model.", 2, false),
        ("gpt-5.6-luna", "GPT-5.6-Luna", "Fast coding model.", 3, false),
        ("gpt-5.5", "GPT-5.5", "Legacy coding model.", 4, false),
        ("gpt-5.4", "GPT-5.4", "Older coding model.", 5, false),
        ("gpt-5.4-mini", "GPT-5.4-Mini", "Small and fast.", 6, false),
        ("gpt-5.3-codex", "GPT-5.3-Codex", "Older Codex-tuned model.", 7, false),
        ("gpt-5.2", "GPT-5.2", "Older general model.", 8, false),
        ("codex-auto-review", "Codex Auto Review", "Reviews changes.", 99, true),
    ];

    public static IReadOnlyList<string> Slugs { get; } = Entries.Select(e => e.Slug).ToList();

    public static JsonObject Build() =>
        new() { ["models"] = new JsonArray(Entries.Select(e => (JsonNode)Model(e.Slug, e.Name, e.Description, e.Priority, e.Hidden)).ToArray()) };

    private static JsonObject Model(string slug, string name, string description, int priority, bool hidden) => new()
    {
        ["slug"] = slug,
        ["display_name"] = name,
        ["description"] = description,
        ["prefer_websockets"] = true,
        ["default_reasoning_level"] = "medium",
        ["supported_reasoning_levels"] = new JsonArray(
            Effort("low", "Fast responses with lighter reasoning"),
            Effort("medium", "Balanced reasoning"),
            Effort("high", "Deeper reasoning")),
        ["shell_type"] = "shell_command",
        ["visibility"] = hidden ? "hide" : "list",
        ["minimal_client_version"] = "0.124.0",
        ["supported_in_api"] = true,
        ["availability_nux"] = null,
        ["upgrade"] = null,
        ["priority"] = priority,
        ["model_messages"] = new JsonObject
        {
            ["instructions_template"] = InstructionsTemplate,
            ["instructions_variables"] = null,
        },
        ["supports_reasoning_summaries"] = true,
        ["supports_reasoning_summary_parameter"] = true,
        ["default_reasoning_summary"] = "none",
        ["support_verbosity"] = true,
        ["default_verbosity"] = "low",
        ["apply_patch_tool_type"] = "freeform",
        ["web_search_tool_type"] = "text_and_image",
        ["truncation_policy"] = new JsonObject { ["mode"] = "tokens", ["limit"] = 10000 },
        ["supports_parallel_tool_calls"] = true,
        ["context_window"] = 272000,
        ["max_context_window"] = 272000,
        ["auto_compact_token_limit"] = null,
        ["experimental_supported_tools"] = new JsonArray(),
        ["input_modalities"] = new JsonArray("text", "image"),
        ["available_in_plans"] = new JsonArray("free", "go", "plus", "pro", "team", "business", "enterprise", "edu"),
        ["service_tiers"] = new JsonArray(new JsonObject
        {
            ["id"] = "priority",
            ["name"] = "Fast",
            ["description"] = "Faster responses, more usage",
        }),
    };

    private static JsonObject Effort(string effort, string description) => new() { ["effort"] = effort, ["description"] = description };
}
