using System.Diagnostics;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>A configuration that cannot work stops the start with a message that names what to fix.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("MultiCodex.Edge", "PORT", "not-a-port", "PORT must be a port number")]
    [InlineData("MultiCodex.Edge", "CONTROL_URL", "control:4011", "CONTROL_URL must be an absolute http(s) URL")]
    [InlineData("MultiCodex.Control", "CHATGPT_BASE_URL", "ftp://example", "CHATGPT_BASE_URL must be an absolute http(s) URL")]
    [InlineData("MultiCodex.Control", "USAGE_REFRESH_SECONDS", "soon", "USAGE_REFRESH_SECONDS must be a whole number")]
    [InlineData("MultiCodex.Control", "WEBHOOK_TIMEOUT_SECONDS", "0", "WEBHOOK_TIMEOUT_SECONDS must be between 1 and 300")]
    [InlineData("MultiCodex.Control", "WEBHOOK_MAX_ATTEMPTS", "50", "WEBHOOK_MAX_ATTEMPTS must be between 1 and 20")]
    public async Task BadSetting_ExitsWithCode2AndAMessage(string app, string name, string value, string message)
    {
        using var data = new TempDirectory();
        var start = new ProcessStartInfo("dotnet", [AppPaths.Dll(app)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DATA_DIR"] = data.Path, ["CONTROL_URL"] = "http://127.0.0.1:0", ["PORT"] = "0", [name] = value },
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, await stderr + await stdout);
    }
}
