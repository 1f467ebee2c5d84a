using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// A MultiCodex app as a real child process: the built dll run with <c>dotnet</c> and environment variables, as
/// the container images and scripts/run.sh run it. For crash (SIGKILL) and shutdown (SIGTERM) tests.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output;

    private AppProcess(Process process, Uri url, StringBuilder output, string logSource)
    {
        _process = process;
        LogSource = logSource;
        _output = output;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>This process's name in <see cref="TestLogs"/>.</summary>
    public string LogSource { get; }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Control on a free port with its data in <paramref name="dataDir"/>, its upstream unreachable; settings in
    /// <paramref name="more"/> are added or replace the defaults.
    /// </summary>
    public static Task<AppProcess> StartControlAsync(string dataDir, string adminToken, Dictionary<string, string>? more = null) =>
        StartAsync("MultiCodex.Control", ControlSettings(dataDir, adminToken, "http://127.0.0.1:9/backend-api", "http://127.0.0.1:9", 0, more));

    /// <summary>
    /// Starts Control in front of the fake ChatGPT backend on <paramref name="port"/> (0: a free one), so that a restart
    /// on the same port and data folder is the same Control to its Edges; settings in <paramref name="more"/> are added
    /// or replace the defaults.
    /// </summary>
    public static Task<AppProcess> StartControlAsync(MultiCodex.Simulator.FakeChatGpt upstream, string dataDir, int port = 0, Dictionary<string, string>? more = null) =>
        StartAsync("MultiCodex.Control", ControlSettings(dataDir, Stack.AdminToken, upstream.BackendBaseUrl, upstream.IssuerUrl, port, more));

    private static Dictionary<string, string> ControlSettings(string dataDir, string adminToken, string backend, string issuer, int port, Dictionary<string, string>? more)
    {
        var settings = new Dictionary<string, string>
        {
            ["CONTROL_URL"] = $"http://127.0.0.1:{port}",
            ["DATA_DIR"] = dataDir,
            ["ADMIN_TOKEN"] = adminToken,
            ["CHATGPT_BASE_URL"] = backend,
            ["OAUTH_ISSUER"] = issuer,
            ["USAGE_REFRESH_SECONDS"] = "0",
        };
        foreach (var (name, value) in more ?? [])
        {
            settings[name] = value;
        }
        return settings;
    }

    /// <summary>Adds a Simulator account through <c>POST /admin/accounts</c>; returns its id.</summary>
    public static async Task<string> AddAccountAsync(HttpClient admin, MultiCodex.Simulator.SimAccount account, int priority)
    {
        var response = await admin.PostAsJsonAsync("/admin/accounts", new { authJson = account.AuthJson(), priority });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["account"]!["id"]!;
    }

    /// <summary>Starts the app and returns once it listens (it prints its address at start).</summary>
    public static async Task<AppProcess> StartAsync(string project, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [AppPaths.Dll(project)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var source = TestLogs.NewSource(project);
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"{project} exited before listening:\n{output}"));
                return;
            }
            lock (output) { output.AppendLine(e.Data); }
            TestLogs.AddOutput(source, e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output) { output.AppendLine(e.Data); }
                TestLogs.AddOutput(source, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new AppProcess(process, await listening.Task.WaitAsync(StartTimeout), output, source);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>A gRPC channel to this process (Control).</summary>
    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Url);
    private GrpcChannel? _channel;

    /// <summary>SIGKILL: no shutdown code runs, whatever the process was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, as `docker stop` and Ctrl-C send it: the process shuts down by its own rules.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(5000);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
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
