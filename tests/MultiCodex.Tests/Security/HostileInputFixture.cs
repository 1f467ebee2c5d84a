using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// The system as a user runs it, for the hostile-input suite: the fake ChatGPT backend, Control, the Edge, and a
/// stand-in dashboard behind it; one signed-in account, one client key (so /v1 checks keys), an admin token, and a
/// 1 MiB body limit (so compression bombs stay cheap). Knows every secret it handed out.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    public const long MaxBodyBytes = 1024 * 1024;

    private WebApplication? _dashboard;

    public string AdminToken { get; } = "hostile-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    public FakeChatGpt Upstream { get; private set; } = null!;
    public TempDirectory Data { get; } = new();
    public ControlHost Control { get; private set; } = null!;
    public EdgeHost Edge { get; private set; } = null!;
    public SimAccount Account { get; private set; } = null!;
    public string AccountId { get; private set; } = "";
    public string ApiKey { get; private set; } = "";
    public SecretScan Secrets { get; } = new();
    public IReadOnlyCollection<string> LogSources => [Control.LogSource, Edge.LogSource];

    /// <summary>REST through the front door with the admin token.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeChatGpt.StartAsync();
        _dashboard = await StartDashboardAsync();
        var settings = new Dictionary<string, string?>
        {
            ["CHATGPT_BASE_URL"] = Upstream.BackendBaseUrl,
            ["OAUTH_ISSUER"] = Upstream.IssuerUrl,
            ["MAX_REQUEST_BODY_BYTES"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Control = await ControlHost.StartAsync(Data.Path, AdminToken, settings);
        Edge = await EdgeHost.StartAsync(Control.Url, AdminToken, ServerAddress.Of(_dashboard), settings);
        Admin = new HttpClient { BaseAddress = Edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Add("x-admin-token", AdminToken);

        Account = Upstream.AddAccount("target@example.com");
        var added = await Admin.PostAsJsonAsync("/admin/accounts", new { authJson = Account.AuthJson() });
        added.EnsureSuccessStatusCode();
        AccountId = (string)(await added.Content.ReadFromJsonAsync<JsonObject>())!["account"]!["id"]!;
        var key = await Admin.PostAsJsonAsync("/admin/api-keys", new { name = "hostile" });
        key.EnsureSuccessStatusCode();
        ApiKey = (string)(await key.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!;
        await Edge.SyncPoolAsync(); // the Edge knows the account and the key before the first case

        Secrets.Add("the admin token", AdminToken);
        Secrets.Add("the client key", ApiKey);
        Secrets.AddStoredTokens(Data.Path);
    }

    /// <summary>Every file in the data folder with its bytes, to prove a request changed nothing.</summary>
    /// <summary>
    /// Control's state files, byte for byte. The request log (history.db and its WAL) is left out: a refused request is
    /// rightly recorded there, as what the client got.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> DataFiles() =>
        Directory.EnumerateFiles(Data.Path)
            .Where(f => !Path.GetFileName(f).StartsWith("history.db", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Edge.DisposeAsync();
        await Control.DisposeAsync();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }
        await Upstream.DisposeAsync();
        Data.Dispose();
    }

    // Stands in for the Next.js server: a page with its own security policy, like the real one.
    private static async Task<WebApplication> StartDashboardAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<!doctype html><title>MultiCodex</title>");
        });
        await app.StartAsync();
        return app;
    }
}
