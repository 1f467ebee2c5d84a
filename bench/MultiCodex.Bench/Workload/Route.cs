using MultiCodex.Bench.Stack;

namespace MultiCodex.Bench.Workload;

/// <summary>The two request bodies every route is measured with.</summary>
internal enum BodySize
{
    /// <summary>A one-question request (about 350 bytes).</summary>
    Small,

    /// <summary>About 1 MiB of Codex conversation: 200 input items and 12 tools.</summary>
    Large,
}

/// <summary>
/// One way to get a Codex answer: where the request goes, with which headers and body, which server is the proxy
/// (its CPU and memory are the ones that count), and what a correct answer looks like.
/// </summary>
/// <param name="Name">Shown in the results: <c>direct</c>, <c>nginx</c>, <c>edge responses</c>, …</param>
/// <param name="Proxy">The measured server between client and upstream: <c>upstream</c> (none), <c>nginx</c> or <c>edge</c>.</param>
/// <param name="Check">Returns why an answer is wrong, or null when it is right.</param>
internal sealed record Route(string Name, string Proxy, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyDictionary<BodySize, byte[]> Bodies, IReadOnlyDictionary<BodySize, string> BodyFiles, Func<HttpExchange, string?> Check)
{
    public const string Direct = "direct";
    public const string Nginx = "nginx";
    public const string EdgeResponses = "edge responses";
    public const string EdgeResponsesJson = "edge responses json";
    public const string EdgeChat = "edge chat";

    public static string SizeLabel(BodySize size) => size == BodySize.Small ? "small" : "1 MB";
}

/// <summary>Builds the routes of a stack and writes their bodies to files (for wrk).</summary>
internal static class Routes
{
    public static IReadOnlyList<Route> For(BenchStack stack, string bodiesDir)
    {
        Directory.CreateDirectory(bodiesDir);
        var responses = Bodies(bodiesDir, "responses", Payloads.ResponsesSmall(stream: true), Payloads.ResponsesLarge(stream: true));
        var responsesJson = Bodies(bodiesDir, "responses-json", Payloads.ResponsesSmall(stream: false), Payloads.ResponsesLarge(stream: false));
        var chat = Bodies(bodiesDir, "chat", Payloads.ChatSmall(), Payloads.ChatLarge());

        // Straight to the upstream, a client presents the account's own credentials, as the Codex CLI does.
        var account = stack.Accounts[0];
        List<KeyValuePair<string, string>> upstreamHeaders =
        [
            new("Authorization", "Bearer " + account.AccessToken),
            new("ChatGPT-Account-ID", account.ChatGptAccountId),
            new("Accept", "text/event-stream"),
            new("originator", "codex_cli_rs"),
        ];
        List<KeyValuePair<string, string>> edgeHeaders = [new("Authorization", "Bearer " + stack.ClientKey)];
        List<KeyValuePair<string, string>> edgeStreamHeaders = [.. edgeHeaders, new("Accept", "text/event-stream")];
        const string UpstreamPath = "/backend-api/codex/responses";

        var routes = new List<Route> { new(Route.Direct, "upstream", new Uri(stack.UpstreamUrl, UpstreamPath), upstreamHeaders, responses.Bodies, responses.Files, ResponseChecks.PassThrough) };
        if (stack.NginxUrl is { } nginx)
        {
            routes.Add(new(Route.Nginx, "nginx", new Uri(nginx, UpstreamPath), upstreamHeaders, responses.Bodies, responses.Files, ResponseChecks.PassThrough));
        }
        routes.Add(new(Route.EdgeResponses, "edge", new Uri(stack.EdgeUrl, "/v1/responses"), edgeStreamHeaders, responses.Bodies, responses.Files, ResponseChecks.ResponsesStream));
        routes.Add(new(Route.EdgeResponsesJson, "edge", new Uri(stack.EdgeUrl, "/v1/responses"), edgeHeaders, responsesJson.Bodies, responsesJson.Files, ResponseChecks.ResponsesJson));
        routes.Add(new(Route.EdgeChat, "edge", new Uri(stack.EdgeUrl, "/v1/chat/completions"), edgeStreamHeaders, chat.Bodies, chat.Files, ResponseChecks.ChatStream));
        return routes;
    }

    private static (Dictionary<BodySize, byte[]> Bodies, Dictionary<BodySize, string> Files) Bodies(string dir, string name, byte[] small, byte[] large)
    {
        var bodies = new Dictionary<BodySize, byte[]> { [BodySize.Small] = small, [BodySize.Large] = large };
        var files = new Dictionary<BodySize, string>();
        foreach (var (size, body) in bodies)
        {
            var path = Path.Combine(dir, $"{name}-{size.ToString().ToLowerInvariant()}.json");
            File.WriteAllBytes(path, body);
            files[size] = path;
        }
        return (bodies, files);
    }
}
