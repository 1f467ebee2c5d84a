using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace MultiCodex.Testing;

/// <summary>
/// Runs the real Codex CLI (npm <c>@openai/codex</c> 0.171.0, installed by <c>npm ci --prefix tests/clients</c>)
/// in a sandbox of its own. Shared by the test projects: the simulator's (ChatGPT-auth mode against the fake)
/// and the proxy's (a custom provider pointed at the Edge).
/// </summary>
internal static class CodexCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary><c>CODEX_BIN</c>, else the native binary inside <c>tests/clients/node_modules</c>; fails the test when missing.</summary>
    public static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("CODEX_BIN") is { Length: > 0 } fromEnv)
        {
            Assert.True(File.Exists(fromEnv), $"CODEX_BIN points at '{fromEnv}', which does not exist.");
            return fromEnv;
        }

        var root = RepoRoot();
        var modules = Path.Combine(root, "tests", "clients", "node_modules", "@openai");
        var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "codex.exe" : "codex";
        var binary = Directory.Exists(modules)
            ? Directory.EnumerateDirectories(modules, "codex*")
                .Select(package => Path.Combine(package, "vendor"))
                .Where(Directory.Exists)
                .SelectMany(vendor => Directory.EnumerateDirectories(vendor))
                .Select(target => Path.Combine(target, "bin", name))
                .FirstOrDefault(File.Exists)
            : null;
        Assert.True(
            binary is not null,
            $"The Codex CLI binary was not found under {modules}. Run `npm ci --prefix tests/clients` from the repository root "
            + "(or set CODEX_BIN to a codex 0.171.0 binary).");
        return binary!;
    }

    /// <summary>Runs <c>codex exec</c> (or <c>codex exec &lt;subcommand&gt;</c>) once; kills the process tree and fails if it outlives <see cref="Timeout"/>.</summary>
    public static async Task<CliResult> ExecAsync(string binary, CodexSandbox sandbox, string prompt, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string>? subcommand = null)
    {
        var start = new ProcessStartInfo(binary)
        {
            WorkingDirectory = sandbox.WorkDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // subcommand, e.g. ["resume", "--last"], continues the sandbox's last session with a new turn.
        foreach (var arg in new[] { "exec", "--skip-git-repo-check", "-s", "read-only", "--color", "never" }.Concat(subcommand ?? []).Append(prompt))
        {
            start.ArgumentList.Add(arg);
        }

        Isolate(start.Environment, sandbox);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        var watch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Fail($"codex exec did not finish within {Timeout.TotalSeconds} s.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        // WaitForExitAsync also waits for the redirected streams to reach EOF.
        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString(), watch.Elapsed);
    }

    // Nothing from the developer's own codex or proxy setup may leak in.
    private static void Isolate(IDictionary<string, string?> env, CodexSandbox sandbox)
    {
        foreach (var key in env.Keys.Where(k =>
            k.StartsWith("CODEX_", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("OPENAI_", StringComparison.OrdinalIgnoreCase)
            || k.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("RUST_", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("SSL_CERT", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            env.Remove(key);
        }

        env["HOME"] = sandbox.Root;
        env["CODEX_HOME"] = sandbox.CodexHome;
        env["NO_PROXY"] = "127.0.0.1,localhost";
        env["NO_COLOR"] = "1";
        env["TERM"] = "dumb";
    }

    /// <summary>A fresh sandbox: HOME with CODEX_HOME and a work directory inside.</summary>
    public static CodexSandbox NewSandbox()
    {
        var sandbox = new CodexSandbox(Directory.CreateTempSubdirectory("multicodex-cli-").FullName);
        Directory.CreateDirectory(sandbox.CodexHome);
        Directory.CreateDirectory(sandbox.WorkDirectory);
        return sandbox;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    /// <summary>The folder holding MultiCodex.slnx, found upwards from the test assembly.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MultiCodex.slnx")))
            {
                return dir.FullName;
            }
        }

        Assert.Fail($"MultiCodex.slnx not found above {AppContext.BaseDirectory}.");
        return "";
    }
}

/// <summary>A temporary HOME with CODEX_HOME and a work directory inside; deleted on dispose.</summary>
internal sealed class CodexSandbox(string root) : IDisposable
{
    public string Root { get; } = root;

    public string CodexHome => Path.Combine(Root, ".codex");

    public string WorkDirectory => Path.Combine(Root, "work");

    public string AuthJsonPath => Path.Combine(CodexHome, "auth.json");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a straggling child may still hold a file.
        }
    }
}

/// <summary>What one CLI run produced.</summary>
internal sealed record CliResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}
