using MultiCodex.Testing;

namespace MultiCodex.Simulator.Tests.Cli;

/// <summary>Sets the Codex CLI up in ChatGPT-auth mode against the fake, as docs/upstream-protocol.md §1 describes.</summary>
internal static class ChatGptAuthCli
{
    /// <summary>Writes <c>auth.json</c> and <c>config.toml</c> into a fresh temporary CODEX_HOME.</summary>
    public static CodexSandbox Prepare(FakeChatGpt sim, SimAccount account, TokenSet tokens, string extraConfig = "")
    {
        var sandbox = CodexCli.NewSandbox();
        File.WriteAllText(sandbox.AuthJsonPath, account.AuthJson(tokens));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sandbox.AuthJsonPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // Both base URLs are needed, and chatgpt_base_url must be HTTPS (docs/upstream-protocol.md §1).
        File.WriteAllText(Path.Combine(sandbox.CodexHome, "config.toml"), $"""
            model = "gpt-5.5"
            check_for_update_on_startup = false
            chatgpt_base_url = "{sim.TlsBackendBaseUrl}/"
            openai_base_url = "{sim.TlsBackendBaseUrl}/codex"
            {extraConfig}
            """);
        return sandbox;
    }

    /// <summary>Runs <c>codex exec</c> once against the fake's HTTPS listener.</summary>
    public static Task<CliResult> ExecAsync(string binary, FakeChatGpt sim, CodexSandbox sandbox, string prompt, IReadOnlyList<string>? subcommand = null) =>
        CodexCli.ExecAsync(binary, sandbox, prompt, new Dictionary<string, string?>
        {
            ["CODEX_CA_CERTIFICATE"] = sim.CaCertificatePath,
            ["CODEX_REFRESH_TOKEN_URL_OVERRIDE"] = sim.IssuerUrl + "/oauth/token",
            ["CODEX_REVOKE_TOKEN_URL_OVERRIDE"] = sim.IssuerUrl + "/oauth/revoke",
        }, subcommand);

    /// <summary>A second turn in the sandbox's last session (<c>codex exec resume --last</c>).</summary>
    public static Task<CliResult> ResumeAsync(string binary, FakeChatGpt sim, CodexSandbox sandbox, string prompt) =>
        ExecAsync(binary, sim, sandbox, prompt, ["resume", "--last"]);
}
