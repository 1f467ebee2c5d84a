namespace MultiCodex.Pool;

/// <summary>
/// The Codex client MultiCodex presents upstream, in one place: the version of the newest Codex CLI and its
/// originator. The version decides which models the upstream's catalog shows (<c>/codex/models?client_version=</c>
/// hides models newer clients need, docs/upstream-responses.md §2.4), and the upstream expects an official client's
/// originator (docs/upstream-responses.md §2.2). Control (usage, OAuth) and the Edge (model calls, the catalog) both
/// present it. Keep them equal to what the CLI pinned in tests/clients/package.json sends (a test checks the version).
/// </summary>
public static class CodexPersona
{
    /// <summary>The Codex CLI version presented: <c>@openai/codex@0.171.0</c>.</summary>
    public const string Version = "0.171.0";

    /// <summary>The Codex CLI's own originator.</summary>
    public const string Originator = "codex_cli_rs";

    /// <summary>The User-Agent of that client, for callers that are not a Codex client themselves.</summary>
    public const string UserAgent = Originator + "/" + Version + " (MultiCodex)";
}
