using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>Control as a real child process (the published dll, as the image runs it), for crash tests.</summary>
public sealed partial class ControlProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private ControlProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
        Channel = GrpcChannel.ForAddress(url);
    }

    public Uri Url { get; }
    public GrpcChannel Channel { get; }

    /// <summary>Starts Control on a free port and returns once it listens (it prints its address).</summary>
    public static async Task<ControlProcess> StartAsync(string dataDir, string adminToken)
    {
        var start = new ProcessStartInfo("dotnet", [AppPaths.Dll("MultiCodex.Control")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["CONTROL_URL"] = "http://127.0.0.1:0",
                ["DATA_DIR"] = dataDir,
                ["ADMIN_TOKEN"] = adminToken,
                ["CHATGPT_BASE_URL"] = "http://127.0.0.1:9/backend-api",
                ["OAUTH_ISSUER"] = "http://127.0.0.1:9",
                ["USAGE_REFRESH_SECONDS"] = "0",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            },
        };
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"Control exited before listening:\n{output}"));
                return;
            }
            lock (output) { output.AppendLine(e.Data); }
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ControlProcess(process, await listening.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, whatever Control was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>Where the build put the apps: artifacts/bin/&lt;Project&gt;/&lt;config&gt;/, beside this test assembly.</summary>
public static class AppPaths
{
    public static string Dll(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(testOutput.Parent!.Parent!.FullName, project, testOutput.Name, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built at {path}; build the solution first.");
    }
}
