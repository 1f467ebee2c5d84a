using System.Diagnostics;

namespace MultiCodex.Deployment.Tests.Support;

/// <summary>
/// The Compose command line, when there is one: Compose v1's docker-compose (apt), else the v2 plugin
/// (docker compose). `config` validates and normalises a file without a Docker engine.
/// </summary>
public static class ComposeCli
{
    private static readonly Lazy<string[]?> Command = new(Find);

    public static string[]? Found => Command.Value;

    public static string Description => Found is { } c ? string.Join(' ', c) : "none";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>
    /// Runs `… -f docker-compose.yml &lt;args&gt;` in the repository with only PATH, HOME and the given variables
    /// set, and an empty --env-file, so nothing from the caller's shell or a local .env leaks in.
    /// </summary>
    public static Result Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var command = Found ?? throw new InvalidOperationException("no Compose command line on PATH");
        var envFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(command[0])
            {
                WorkingDirectory = Repo.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var part in command.Skip(1))
            {
                start.ArgumentList.Add(part);
            }
            foreach (var part in new[] { "--env-file", envFile, "-f", Repo.PathOf("docker-compose.yml") }.Concat(args))
            {
                start.ArgumentList.Add(part);
            }
            start.Environment.Clear();
            start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            start.Environment["HOME"] = Path.GetTempPath();
            start.Environment["LANG"] = "C.UTF-8";
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            return Execute(start, TimeSpan.FromSeconds(60));
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    private static Result Execute(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} took over {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string[]? Find()
    {
        if (OnPath("docker-compose") is { } v1)
        {
            return [v1];
        }
        if (OnPath("docker") is { } docker)
        {
            try
            {
                var probe = new ProcessStartInfo(docker) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                probe.ArgumentList.Add("compose");
                probe.ArgumentList.Add("version");
                if (Execute(probe, TimeSpan.FromSeconds(20)).ExitCode == 0)
                {
                    return [docker, "compose"];
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                return null;
            }
        }
        return null;
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
