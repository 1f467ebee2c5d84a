using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// What the processes refuse at start, in one line with exit code 2 and without a stack trace: an admin API beyond
/// loopback without a token of the operator's own, and a port that cannot be bound. And what they no longer say:
/// Kestrel's untrue "HTTP/2 is not enabled" on ports where the sniffer serves h2c.
/// </summary>
public sealed class StartupSafetyTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string, string, string?> Unprotected => new()
    {
        // app, the address setting, its value, ADMIN_TOKEN
        { "MultiCodex.Edge", "HOST", "0.0.0.0", null },
        { "MultiCodex.Edge", "HOST", "0.0.0.0", "change-me" },
        { "MultiCodex.Control", "CONTROL_URL", "http://0.0.0.0:0", null },
        { "MultiCodex.Control", "CONTROL_URL", "http://control:0", "change-me" },
    };

    [Theory]
    [MemberData(nameof(Unprotected))]
    public async Task BeyondLoopbackWithoutAToken_RefusesToStart_NamingAdminToken(string app, string setting, string value, string? token)
    {
        using var data = new TempDirectory();

        var (code, output) = await RunAsync(app, new() { ["DATA_DIR"] = data.Path, ["PORT"] = "0", [setting] = value, ["ADMIN_TOKEN"] = token ?? "" });

        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("ADMIN_TOKEN", line);
        Assert.Contains("openssl rand -hex 24", line);
    }

    public static TheoryData<string, string, string> UnworkableTelemetry => new()
    {
        // app, the OpenTelemetry variable set beside OTEL_EXPORTER_OTLP_ENDPOINT (or it), its value
        { "MultiCodex.Edge", "OTEL_EXPORTER_OTLP_ENDPOINT", "otel-collector:4317" },
        { "MultiCodex.Control", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json" },
        { "MultiCodex.Edge", "OTEL_TRACES_EXPORTER", "zipkin" },
    };

    [Theory]
    [MemberData(nameof(UnworkableTelemetry))]
    public async Task UnworkableOpenTelemetrySettings_RefuseToStart_NamingTheVariable(string app, string variable, string value)
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["DATA_DIR"] = data.Path, ["PORT"] = "0", ["CONTROL_URL"] = "http://127.0.0.1:0",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
        };
        environment[variable] = value;

        var (code, output) = await RunAsync(app, environment);

        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(variable, line);
    }

    [Theory]
    [InlineData("MultiCodex.Edge")]
    [InlineData("MultiCodex.Control")]
    public async Task BusyPort_IsReportedInOneLine_WithExitCode2(string app)
    {
        using var data = new TempDirectory();
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var started = Stopwatch.StartNew();

        var (code, output) = await RunAsync(app, new()
        {
            ["DATA_DIR"] = data.Path,
            ["PORT"] = port,
            ["CONTROL_URL"] = app == "MultiCodex.Control" ? $"http://127.0.0.1:{port}" : "http://127.0.0.1:9",
        });

        Assert.Equal(2, code);
        Assert.True(started.Elapsed < ExitWithin, $"took {started.Elapsed}");
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}", line);
        Assert.Contains("address already in use", line);
    }

    [Fact]
    public async Task Start_SaysNothingUntrueAboutHttp2_AndCreatesTheDataFolderPrivate()
    {
        using var parent = new TempDirectory();
        var dataDir = Path.Combine(parent.Path, "fresh", "data");

        await using var control = await AppProcess.StartControlAsync(dataDir, "startup-token");
        await using var edge = await AppProcess.StartAsync("MultiCodex.Edge", new()
        {
            ["PORT"] = "0",
            ["CONTROL_URL"] = control.Url.ToString(),
            ["ADMIN_TOKEN"] = "startup-token",
        });

        Assert.DoesNotContain("HTTP/2 is not enabled", control.Output + edge.Output);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string app, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [AppPaths.Dll(app)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ExitWithin);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, (await stderr) + (await stdout));
    }
}
