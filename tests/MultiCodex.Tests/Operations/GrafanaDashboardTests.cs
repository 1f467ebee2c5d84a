using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiCodex.Simulator;
using MultiCodex.Tests.Infrastructure;

namespace MultiCodex.Tests.Operations;

/// <summary>
/// deploy/grafana/multicodex.json queries only metrics that a running Edge and Control export (each its own process,
/// scraped at /metrics on loopback after real traffic), and README names every one of them: a renamed metric fails here.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly HashSet<string> PromQlWords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "le"];

    [Fact]
    public async Task EveryMetricTheDashboardQueries_IsExportedByTheEdgeOrControl_AndNamedInReadme()
    {
        var queried = QueriedMetrics(await File.ReadAllTextAsync(RepoFile("deploy", "grafana", "multicodex.json")));
        await using var upstream = await FakeChatGpt.StartAsync();
        using var data = new TempDirectory();
        await using var control = await AppProcess.StartControlAsync(upstream, data.Path);
        await using var edge = await AppProcess.StartAsync("MultiCodex.Edge", new()
        {
            ["PORT"] = "0",
            ["CONTROL_URL"] = control.Url.ToString(),
            ["DASHBOARD_URL"] = "http://127.0.0.1:9",
            ["CHATGPT_BASE_URL"] = upstream.BackendBaseUrl,
            ["ADMIN_TOKEN"] = Stack.AdminToken,
        });
        using var client = new HttpClient { BaseAddress = edge.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("x-admin-token", Stack.AdminToken);
        var sim = upstream.AddAccount("grafana@example.com");
        (await client.PostAsJsonAsync("/admin/accounts", new { authJson = sim.AuthJson() })).EnsureSuccessStatusCode();
        // Real traffic, so that the per-request series exist.
        var answer = await client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.5","input":"hi"}""", Encoding.UTF8, "application/json"));

        var exported = Samples(await client.GetStringAsync("/metrics"));
        exported.UnionWith(Samples(await client.GetStringAsync(new Uri(control.Url, "/metrics"))));
        var readme = await File.ReadAllTextAsync(RepoFile("README.md"));

        answer.EnsureSuccessStatusCode();
        Assert.True(queried.Count >= 8, $"found only {queried.Count} metrics in the dashboard's queries");
        Assert.Contains("multicodex_edge_requests_total", queried);
        Assert.Contains("multicodex_control_accounts", queried);
        var notExported = queried.Where(m => !exported.Contains(m)).ToList();
        Assert.True(notExported.Count == 0, "queried but exported by neither the Edge nor Control: " + string.Join(", ", notExported));
        var undocumented = queried.Where(m => !readme.Contains($"`{m}`", StringComparison.Ordinal)).ToList();
        Assert.True(undocumented.Count == 0, "queried but not named in README (as `name`): " + string.Join(", ", undocumented));
    }

    /// <summary>The metric names in every <c>expr</c>: identifiers left once label matchers, ranges, grouping clauses and calls are removed.</summary>
    internal static SortedSet<string> QueriedMetrics(string dashboardJson)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var expr in Exprs(JsonNode.Parse(dashboardJson)!))
        {
            var bare = Matchers().Replace(expr, " ");
            bare = Ranges().Replace(bare, " ");
            bare = Grouping().Replace(bare, " ");
            foreach (Match word in Identifier().Matches(bare))
            {
                var isCall = bare[(word.Index + word.Length)..].TrimStart().StartsWith('(');
                if (!isCall && !PromQlWords.Contains(word.Value))
                {
                    names.Add(word.Value);
                }
            }
        }
        return names;
    }

    private static IEnumerable<string> Exprs(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "expr" && p.Value is JsonValue v ? [(string)v!] : p.Value is null ? [] : Exprs(p.Value)),
        JsonArray a => a.Where(n => n is not null).SelectMany(n => Exprs(n!)),
        _ => [],
    };

    private static HashSet<string> Samples(string exposition) =>
        exposition.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0]).ToHashSet(StringComparer.Ordinal);

    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MultiCodex.slnx")))
        {
            dir = dir.Parent;
        }
        return Path.Combine([dir?.FullName ?? throw new DirectoryNotFoundException("MultiCodex.slnx not found above the test output"), .. parts]);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
