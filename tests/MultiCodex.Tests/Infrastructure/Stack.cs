using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>Control and the Edge in front of it, as a user runs them, with a temp data folder.</summary>
public sealed class Stack : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    private Stack(TempDirectory data, ControlHost control, EdgeHost edge)
    {
        Data = data;
        Control = control;
        Edge = edge;
        Admin = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Add("x-admin-token", AdminToken);
        GrpcWeb = GrpcChannel.ForAddress(edge.Url, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = new Version(1, 1),
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
    }

    public TempDirectory Data { get; }
    public ControlHost Control { get; }
    public EdgeHost Edge { get; }

    /// <summary>The names of this stack's apps in <see cref="TestLogs"/>.</summary>
    public IReadOnlyCollection<string> LogSources => [Control.LogSource, Edge.LogSource];

    /// <summary>REST through the front door, with the admin token.</summary>
    public HttpClient Admin { get; }

    /// <summary>gRPC-Web through the front door (HTTP/1.1), as the dashboard calls Control.</summary>
    public GrpcChannel GrpcWeb { get; }

    /// <summary>Call options carrying the admin token, for gRPC and gRPC-Web.</summary>
    public static CallOptions Authorized => new(new Metadata { { "x-admin-token", AdminToken } }, deadline: DateTime.UtcNow.AddSeconds(30));

    /// <summary>
    /// Starts Control and an Edge; <paramref name="settings"/> go to both (each reads the names it knows). With
    /// <paramref name="time"/> both run on that clock; <paramref name="edgeTime"/> gives the Edge a clock of its own.
    /// </summary>
    public static async Task<Stack> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null, TimeProvider? edgeTime = null)
    {
        var data = new TempDirectory();
        var control = await ControlHost.StartAsync(data.Path, AdminToken, settings, time);
        var edge = await EdgeHost.StartAsync(control.Url, AdminToken, settings: settings, time: edgeTime ?? time);
        return new Stack(data, control, edge);
    }

    /// <summary>Control settings that point it at a fake ChatGPT backend and issuer.</summary>
    public static Dictionary<string, string?> UpstreamSettings(MultiCodex.Simulator.FakeChatGpt upstream, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl,
            ["OAUTH_ISSUER"] = upstream.IssuerUrl,
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Adds an account through the REST API and returns its JSON.</summary>
    public async Task<JsonObject> AddAccountAsync(TestTokens.Set tokens, string? label = null)
    {
        var response = await Admin.PostAsJsonAsync("/admin/accounts", new
        {
            tokens = new { accessToken = tokens.AccessToken, refreshToken = tokens.RefreshToken, idToken = tokens.IdToken },
            label,
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        await Edge.SyncPoolAsync();
        return body!["account"]!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        GrpcWeb.Dispose();
        await Edge.DisposeAsync();
        await Control.DisposeAsync();
        Data.Dispose();
    }
}
