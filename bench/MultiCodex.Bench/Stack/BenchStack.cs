using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCodex.Bench.Upstream;

namespace MultiCodex.Bench.Stack;

/// <summary>What the stack is started with.</summary>
/// <param name="AppsDir">Where the release builds are: <c>artifacts/bin</c>.</param>
/// <param name="RunDir">Logs, configs and Control's data folder of this run.</param>
/// <param name="LongStreamInterval">The fake upstream's pause between long-stream deltas.</param>
/// <param name="LongStreamDeltas">The number of deltas of a long stream.</param>
internal sealed record StackSettings(string AppsDir, string RunDir, int Accounts, TimeSpan LongStreamInterval, int LongStreamDeltas,
    bool RecordBodies, bool WithNginx);

/// <summary>
/// The system under test, as a user runs it: the fake upstream, Control and the Edge (release builds, real
/// processes, configured only through their public environment variables and admin API), plus nginx in front of
/// the same fake upstream. Nothing here depends on how Control or the Edge work inside.
/// </summary>
internal sealed partial class BenchStack : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<ChildProcess> _processes = [];
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private BenchStack(StackSettings settings, IReadOnlyList<BenchAccount> accounts)
    {
        Settings = settings;
        Accounts = accounts;
    }

    public StackSettings Settings { get; }

    public IReadOnlyList<BenchAccount> Accounts { get; }

    /// <summary>The fake upstream's root; its ChatGPT base is <c>{it}/backend-api</c>.</summary>
    public Uri UpstreamUrl { get; private set; } = null!;

    public Uri ControlUrl { get; private set; } = null!;

    public Uri EdgeUrl { get; private set; } = null!;

    /// <summary>nginx, or null when it is not installed (smoke only) or left out.</summary>
    public Uri? NginxUrl { get; private set; }

    /// <summary>The client key the Edge requires (one exists, as in a real deployment).</summary>
    public string ClientKey { get; private set; } = "";

    /// <summary>The measured servers by role: upstream, control, edge, nginx.</summary>
    public Dictionary<string, Watched> Watched { get; } = [];

    public static async Task<BenchStack> StartAsync(StackSettings settings, Action<string> log)
    {
        Directory.CreateDirectory(settings.RunDir);
        var stack = new BenchStack(settings, BenchAccounts.Mint(settings.Accounts));
        try
        {
            await stack.StartAllAsync(log);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the fake upstream has received so far.</summary>
    public async Task<UpstreamCounters> CountersAsync()
    {
        var json = await _http.GetFromJsonAsync<JsonObject>(new Uri(UpstreamUrl, "/bench/counters"));
        return new UpstreamCounters((long)json!["requests"]!, (long)json["bodyBytes"]!);
    }

    /// <summary>The body of the last request the fake upstream received (when started with RecordBodies).</summary>
    public Task<byte[]> LastUpstreamBodyAsync() => _http.GetByteArrayAsync(new Uri(UpstreamUrl, "/bench/last-body"));

    public async ValueTask DisposeAsync()
    {
        // The front first, so nothing is in flight when its backends stop.
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }
        _http.Dispose();
    }

    private async Task StartAllAsync(Action<string> log)
    {
        var dir = Settings.RunDir;
        var accountsFile = Path.Combine(dir, "accounts.json");
        BenchAccounts.Save(Accounts, accountsFile);
        var adminToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        log("starting the fake upstream");
        var upstream = Start("upstream", "dotnet", [typeof(BenchStack).Assembly.Location, "upstream", "--accounts", accountsFile,
            "--long-interval-ms", ((int)Settings.LongStreamInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--long-deltas", Settings.LongStreamDeltas.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. Settings.RecordBodies ? (string[])["--record-bodies"] : []], []);
        UpstreamUrl = new Uri((await upstream.WaitForLogAsync(UpstreamListening(), StartTimeout)).Groups[1].Value);
        var chatGptBase = new Uri(UpstreamUrl, "/backend-api").ToString();

        log("starting Control");
        var control = Start("control", "dotnet", [AppDll("MultiCodex.Control")], new()
        {
            ["CONTROL_URL"] = "http://127.0.0.1:0",
            ["DATA_DIR"] = Path.Combine(dir, "control-data"),
            ["ADMIN_TOKEN"] = adminToken,
            ["CHATGPT_BASE_URL"] = chatGptBase,
            ["OAUTH_ISSUER"] = UpstreamUrl.ToString(),
            // Probing on a timer would add noise; new accounts are still probed once when added.
            ["USAGE_REFRESH_SECONDS"] = "0",
        });
        ControlUrl = new Uri((await control.WaitForLogAsync(AspNetListening(), StartTimeout)).Groups[1].Value);
        await AddAccountsAndKeyAsync(adminToken);

        log("starting the Edge");
        var edge = Start("edge", "dotnet", [AppDll("MultiCodex.Edge")], new()
        {
            ["PORT"] = "0",
            ["HOST"] = "127.0.0.1",
            ["CONTROL_URL"] = ControlUrl.ToString(),
            ["DASHBOARD_URL"] = "http://127.0.0.1:9",
            ["ADMIN_TOKEN"] = adminToken,
            ["CHATGPT_BASE_URL"] = chatGptBase,
            ["SHUTDOWN_DRAIN_SECONDS"] = "5",
        });
        EdgeUrl = new Uri((await edge.WaitForLogAsync(AspNetListening(), StartTimeout)).Groups[1].Value);
        // Liveness only: whether it serves /v1 yet (accounts and keys arrive from Control) the harness finds out by asking.
        await WaitUntilOkAsync(new Uri(EdgeUrl, "/healthz"));

        Watched["upstream"] = new Watched("upstream", upstream.Pid, withChildren: false);
        Watched["control"] = new Watched("control", control.Pid, withChildren: false);
        Watched["edge"] = new Watched("edge", edge.Pid, withChildren: false);
        if (Settings.WithNginx && Nginx.Binary is { } nginxBinary)
        {
            log("starting nginx");
            var (nginx, url) = await Nginx.StartAsync(nginxBinary, Path.Combine(dir, "nginx"), UpstreamUrl);
            _processes.Add(nginx);
            NginxUrl = url;
            Watched["nginx"] = new Watched("nginx", nginx.Pid, withChildren: true);
        }
    }

    private ChildProcess Start(string name, string program, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        // The listening line is the framework's own; the rest of the logging stays as a user gets it.
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = ChildProcess.Start(name, program, args, environment, Path.Combine(Settings.RunDir, name + ".log"));
        _processes.Add(process);
        return process;
    }

    private async Task AddAccountsAndKeyAsync(string adminToken)
    {
        async Task<JsonObject> PostAsync(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ControlUrl, path)) { Content = JsonContent.Create(body) };
            request.Headers.Add("x-admin-token", adminToken);
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode
                ? JsonNode.Parse(text)!.AsObject()
                : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        foreach (var (account, index) in Accounts.Select((a, i) => (a, i)))
        {
            await PostAsync("/admin/accounts", new
            {
                tokens = new { accessToken = account.AccessToken, refreshToken = account.RefreshToken, idToken = account.IdToken },
                label = "bench " + (index + 1),
            });
        }
        var key = await PostAsync("/admin/api-keys", new { name = "bench" });
        ClientKey = (string?)key["secret"] ?? throw new InvalidOperationException("POST /admin/api-keys returned no secret");
    }

    private async Task WaitUntilOkAsync(Uri url)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow - started > StartTimeout)
            {
                throw new TimeoutException($"{url} did not answer 200 within {StartTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(200);
        }
    }

    private string AppDll(string project)
    {
        var path = Path.Combine(Settings.AppsDir, project, "release", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built at {path}: run bench/run.sh (it builds it)");
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex AspNetListening();

    [GeneratedRegex(FakeUpstream.ListeningPrefix + @"(http://[^\s""]+)")]
    private static partial Regex UpstreamListening();
}

/// <summary>The fake upstream's counters: requests answered on /codex/responses and their body bytes.</summary>
internal sealed record UpstreamCounters(long Requests, long BodyBytes);
