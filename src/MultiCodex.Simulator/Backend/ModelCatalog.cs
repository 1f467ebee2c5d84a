using System.Text.Json.Nodes;

namespace MultiCodex.Simulator.Backend;

/// <summary>The <c>/codex/models</c> catalog in the shape the Codex CLI 0.171 parses (docs/upstream-protocol.md §2):
/// <c>model_messages.instructions_template</c>, <c>prefer_websockets</c>, <c>use_responses_lite</c>, no top-level
/// <c>base_instructions</c>. Entries are the fake's own, modelled on the slugs the 0.171 binary bundles; models whose
/// <c>minimal_client_version</c> is above the <c>client_version</c> asked for are left out, as upstream does.</summary>
internal static class ModelCatalog
{
    /// <summary>Base instructions codex sends back as its first developer message.</summary>
    public const string InstructionsTemplate =
        "You are Codex, a coding agent served by the MultiCodex simulator. Answer briefly.";

    /// <summary>The model id a reserve meter serves; not listed in the catalog (docs/upstream-protocol.md §8).</summary>
    public const string ReserveModel = "gpt-reserve";

    private static readonly Entry[] Entries =
    [
        new("gpt-6.2-sol", "GPT-6.2-Sol", "Fast, go-to model for coding and everyday work.", 1, MinimalVersion: "0.166.0", Lite: true),
        new("gpt-6.2-astra", "GPT-6.2-Astra", "Frontier model for long agentic work.", 2, MinimalVersion: "0.166.0", Lite: true),
        new("gpt-5.6-sol", "GPT-5.6-Sol", "Frontier coding model.", 3),
        new("gpt-5.6-terra", "GPT-5.6-Terra", "Balanced coding model.", 4),
        new("gpt-5.6-luna", "GPT-5.6-Luna", "Fast coding model.", 5),
        new("gpt-5.5", "GPT-5.5", "Legacy coding model.", 6),
        new("gpt-5.4", "GPT-5.4", "Older coding model.", 7),
        new("gpt-5.4-mini", "GPT-5.4-Mini", "Small and fast.", 8),
        new("gpt-5.3-codex", "GPT-5.3-Codex", "Older Codex-tuned model.", 9),
        new("gpt-5.2", "GPT-5.2", "Older general model.", 10),
        new("codex-auto-review", "Codex Auto Review", "Reviews changes.", 99, Hidden: true),
    ];

    /// <summary>Every slug the backend serves (whatever client version asks).</summary>
    public static IReadOnlyList<string> Slugs { get; } = Entries.Select(e => e.Slug).ToList();

    /// <summary>Slugs whose catalog entry marks them <c>use_responses_lite</c>.</summary>
    public static IReadOnlyList<string> LiteSlugs { get; } = Entries.Where(e => e.Lite).Select(e => e.Slug).ToList();

    /// <summary>A model a request may name: a catalog slug, or the reserve model.</summary>
    public static bool Accepts(string model) => model == ReserveModel || Slugs.Contains(model, StringComparer.Ordinal);

    /// <summary>The catalog for <paramref name="clientVersion"/> (<c>?client_version=</c>); all entries when it is absent or unreadable.</summary>
    public static JsonObject Build(string? clientVersion)
    {
        var version = Version.TryParse(clientVersion, out var parsed) ? parsed : null;
        var visible = Entries.Where(e => version is null || Version.Parse(e.MinimalVersion) <= version);
        return new JsonObject { ["models"] = new JsonArray(visible.Select(e => (JsonNode)Model(e)).ToArray()) };
    }

    private static JsonObject Model(Entry e) => new()
    {
        ["slug"] = e.Slug,
        ["display_name"] = e.Name,
        ["description"] = e.Description,
        ["prefer_websockets"] = true,
        ["use_responses_lite"] = e.Lite,
        ["default_reasoning_level"] = "medium",
        ["supported_reasoning_levels"] = new JsonArray(
            Effort("low", "Fast responses with lighter reasoning"),
            Effort("medium", "Balanced reasoning"),
            Effort("high", "Deeper reasoning")),
        ["shell_type"] = "shell_command",
        ["visibility"] = e.Hidden ? "hide" : "list",
        ["minimal_client_version"] = e.MinimalVersion,
        ["supported_in_api"] = true,
        ["availability_nux"] = null,
        ["upgrade"] = null,
        ["priority"] = e.Priority,
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
        ["available_in_plans"] = new JsonArray("free", "go", "plus", "pro", "prolite", "team", "business", "enterprise", "edu"),
        ["supports_search_tool"] = true,
        ["service_tiers"] = new JsonArray(new JsonObject
        {
            ["id"] = "priority",
            ["name"] = "Fast",
            ["description"] = "Faster responses, more usage",
        }),
    };

    private static JsonObject Effort(string effort, string description) => new() { ["effort"] = effort, ["description"] = description };

    private sealed record Entry(string Slug, string Name, string Description, int Priority, string MinimalVersion = "0.124.0", bool Lite = false, bool Hidden = false);
}
