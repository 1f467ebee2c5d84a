using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Security;

/// <summary>
/// Secrets never show up in a log line or an answer (except the documented export route): a scenario that handles
/// every kind of secret (sign-in codes, access, refresh and id tokens before and after a rotation, client keys, the
/// admin token) through the real front door, with Control as a child process logging JSON, then scans every line both
/// apps wrote and every answer the scenario received for every secret it saw.
/// </summary>
public sealed class SecretScanTests
{
    private const string AdminToken = "scan-admin-token-7f3c9a1e5b2d4f60";

    [Fact]
    public async Task NoSecret_InAnyLogLineOrAnswer_AcrossSignInTrafficRotationAndMistakes()
    {
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        await using var control = await AppProcess.StartAsync("MultiCodex.Control", new()
        {
            ["CONTROL_URL"] = "http://127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["ADMIN_TOKEN"] = AdminToken,
            ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl,
            ["OAUTH_ISSUER"] = upstream.IssuerUrl,
            ["USAGE_REFRESH_SECONDS"] = "0",
            ["LOG_FORMAT"] = "json",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__MultiCodex"] = "Debug",
        });
        await using var edge = await EdgeHost.StartAsync(control.Url, AdminToken, settings: new Dictionary<string, string?>
        {
            ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl,
        });
        var secrets = new SecretScan();
        secrets.Add("the admin token", AdminToken);
        var recorder = new Recorder();
        using var admin = new HttpClient(recorder) { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Add("x-admin-token", AdminToken);

        // 1. Sign in with the browser flow; import a second account from its auth.json.
        var alice = upstream.AddAccount("alice@example.com");
        var flow = await Json(admin.PostAsJsonAsync("/admin/oauth/start", new { email = "alice@example.com" }));
        var redirect = await SignInAtIssuerAsync((string)flow["authorizeUrl"]!, "alice@example.com");
        secrets.Add("alice's sign-in code", Query(redirect, "code"));
        secrets.Add("alice's sign-in state", Query(redirect, "state"));
        await Json(admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = redirect }));
        var bob = upstream.AddAccount("bob@example.com");
        var bobId = (string)(await Json(admin.PostAsJsonAsync("/admin/accounts", new { authJson = bob.AuthJson() })))["account"]!["id"]!;
        secrets.AddStoredTokens(data.Path);

        // 2. Client traffic with a key, a token rotation (401 → refresh → retry) and a quota failover.
        var key = (string)(await Json(admin.PostAsJsonAsync("/admin/api-keys", new { name = "scanner" })))["secret"]!;
        secrets.Add("the client key", key);
        secrets.Add("a spare client key", (string)(await Json(admin.PostAsJsonAsync("/admin/api-keys", new { name = "spare" })))["secret"]!);
        await edge.SyncPoolAsync(); // the Edge knows both accounts and the key before the first request
        var traffic = new Recorder();
        using var client = new HttpClient(traffic) { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        alice.EnqueueBehavior(ResponseBehavior.TokenExpired());
        bob.EnqueueBehavior(ResponseBehavior.TokenExpired());
        foreach (var stream in new[] { true, false })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "hi", stream })).StatusCode);
        }
        secrets.AddStoredTokens(data.Path);
        alice.EnqueueBehavior(ResponseBehavior.UsageLimitReached(TimeSpan.FromHours(1)));
        await client.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-5.5", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        // 3. Mistakes that echo input: wrong keys and tokens, a pasted URL with a code for no flow, a bad auth.json.
        using var stranger = new HttpClient(recorder) { BaseAddress = edge.Url };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", key[..12] + "WRONGWRONGWRONG");
        await stranger.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "hi" });
        using var guesser = new HttpClient(recorder) { BaseAddress = edge.Url };
        guesser.DefaultRequestHeaders.Add("x-admin-token", AdminToken[..10] + "-guess");
        await guesser.GetAsync("/admin/accounts");
        const string StrayCode = "ac_stray_code_9d8e7f6a5b4c3d2e";
        secrets.Add("a stray sign-in code", StrayCode);
        await admin.PostAsJsonAsync("/admin/oauth/complete", new { redirectUrl = $"http://localhost:1455/auth/callback?code={StrayCode}&state=nope" });
        await admin.PostAsJsonAsync("/admin/accounts", new { authJson = bob.AuthJson().Replace("\"tokens\"", "\"tokenz\"") });

        // 4. What the dashboard reads, then the key revoked (the spare one stays, so /v1 still needs a key) and tried again.
        foreach (var path in new[] { "/admin/accounts", "/admin/requests", "/admin/usage/history", "/admin/api-keys", "/metrics" })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }
        var keyId = (string)(await Json(admin.GetAsync("/admin/api-keys")))["apiKeys"]![0]!["id"]!;
        await admin.DeleteAsync($"/admin/api-keys/{keyId}");
        await edge.SyncPoolAsync(); // the revocation reaches the Edge with Control's next push (milliseconds)
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/v1/responses", new { model = "gpt-5.5", input = "hi" })).StatusCode);

        // 5. The export route is the one place tokens come back: allowed there, and nowhere else.
        recorder.Skip = true;
        var export = await admin.GetStringAsync($"/admin/accounts/{bobId}/export");
        recorder.Skip = false;
        secrets.AddStoredTokens(data.Path);

        Assert.True(secrets.Count >= 12, $"only {secrets.Count} secrets were collected");
        Assert.NotEmpty(secrets.FindIn(export, "the export")); // the scan would see a token if one leaked
        var lines = TestLogs.All([control.LogSource, edge.LogSource]);
        Assert.Contains(lines, l => l.Source == control.LogSource && l.Message.Contains("\"Category\":\"MultiCodex", StringComparison.Ordinal));
        var leaks = recorder.Answers.Concat(traffic.Answers).SelectMany(a => secrets.FindIn(a.Text, a.Where))
            .Concat(lines.SelectMany(l => secrets.FindIn(l.Text, $"a log line of {l.Source}")))
            .Where(leak => !ShownOnPurpose(leak))
            .ToList();
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join("\n", leaks.Distinct()));
        Assert.Empty(TestLogs.Faults([control.LogSource, edge.LogSource]));
    }

    // A new key's secret is shown once, in the answer that creates it; the sign-in state travels in the authorize URL
    // the operator opens. Nowhere else.
    private static bool ShownOnPurpose(SecretScan.Leak leak) =>
        (leak.Secret.Contains("client key", StringComparison.Ordinal) && leak.Where == "the answer to POST /admin/api-keys")
        || (leak.Secret.StartsWith("alice's sign-in state", StringComparison.Ordinal) && leak.Where == "the answer to POST /admin/oauth/start");

    private static async Task<JsonObject> Json(Task<HttpResponseMessage> call)
    {
        var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static string Query(string url, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query)[name].ToString();

    private static async Task<string> SignInAtIssuerAsync(string authorizeUrl, string email)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var response = await browser.GetAsync(authorizeUrl + "&login_hint=" + Uri.EscapeDataString(email));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    /// <summary>Keeps every answer (status line, headers, body) the scenario received.</summary>
    private sealed class Recorder() : DelegatingHandler(new HttpClientHandler())
    {
        public List<(string Where, string Text)> Answers { get; } = [];

        public bool Skip { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (!Skip)
            {
                var text = new StringBuilder($"{(int)response.StatusCode}\n{response.Headers}{response.Content.Headers}\n");
                text.Append(await response.Content.ReadAsStringAsync(cancellationToken));
                lock (Answers)
                {
                    Answers.Add(($"the answer to {request.Method} {request.RequestUri?.PathAndQuery}", text.ToString()));
                }
            }
            return response;
        }
    }
}
