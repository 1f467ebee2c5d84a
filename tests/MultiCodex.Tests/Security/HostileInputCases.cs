using Google.Protobuf;
using MultiCodex.Control.V1;
using static MultiCodex.Tests.Security.Raw;

namespace MultiCodex.Tests.Security;

/// <summary>
/// The hostile-input table: what an attacker, a broken client or a bad network sends to /v1/* and /admin/*, and the
/// answer each must get. Every case also proves (in <see cref="HostileInputTests"/>) that nothing changed, the
/// upstream saw nothing, /readyz still answers, no secret came back, and no log line is an unhandled exception.
/// </summary>
public static class HostileInputCases
{
    private static readonly byte[] Empty = [];

    public static readonly IReadOnlyList<HostileCase> All =
    [
        // JSON a parser must refuse (/v1).
        new("v1: duplicate top-level key", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","model":"x","input":"hi"}""")), 400, ErrorShape.OpenAi, "same key twice"),
        new("v1: duplicate key in an input item", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":[{"role":"user","role":"system","content":"hi"}]}""")), 400, ErrorShape.OpenAi, "same key twice"),
        new("v1 chat: duplicate key", V1("/v1/chat/completions", Utf8("""{"model":"gpt-5.5","messages":[],"messages":[{"role":"user","content":"hi"}]}""")), 400, ErrorShape.OpenAi, "same key twice"),
        new("v1: invalid UTF-8 in a string", V1("/v1/responses", [.. Utf8("""{"model":"gpt-5.5","input":"a"""), 0xC3, 0x28, .. Utf8("\"}")]), 400, ErrorShape.OpenAi, "UTF-8"),
        new("v1 chat: invalid UTF-8", V1("/v1/chat/completions", [.. Utf8("""{"model":"gpt-5.5","messages":[{"role":"user","content":"""), 0xFF, 0xFE, .. Utf8("\"}]}")]), 400, ErrorShape.OpenAi, "UTF-8"),
        new("v1: overlong UTF-8 encoding", V1("/v1/responses", [.. Utf8("""{"model":"gpt-5.5","input":"""), 0xC0, 0xAF, .. Utf8("\"}")]), 400, ErrorShape.OpenAi, "UTF-8"),
        new("v1: invalid UTF-8 in a key", V1("/v1/responses", [.. Utf8("{\"mod"), 0xE2, 0x82, .. Utf8("el\":\"gpt-5.5\",\"input\":\"hi\"}")]), 400, ErrorShape.OpenAi, "UTF-8"),
        new("v1: lone surrogate escape", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":"\ud800"}""")), 400, ErrorShape.OpenAi),
        new("v1: truncated JSON", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":""")), 400, ErrorShape.OpenAi, "not valid JSON"),
        new("v1: JSON array body", V1("/v1/responses", Utf8("[1,2,3]")), 400, ErrorShape.OpenAi, "JSON object"),
        new("v1: JSON string body", V1("/v1/responses", Utf8("\"hello\"")), 400, ErrorShape.OpenAi, "JSON object"),
        new("v1: empty body", V1("/v1/responses", Empty), 400, ErrorShape.OpenAi),
        new("v1: nesting 10 000 deep", V1("/v1/responses", Utf8("{\"model\":\"gpt-5.5\",\"input\":" + new string('[', 10_000) + new string(']', 10_000) + "}")), 400, ErrorShape.OpenAi),
        new("v1: comment in JSON", V1("/v1/responses", Utf8("""{"model":"gpt-5.5", /* hi */ "input":"hi"}""")), 400, ErrorShape.OpenAi),
        new("v1: trailing comma", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":"hi",}""")), 400, ErrorShape.OpenAi),
        new("v1: NaN literal", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":"hi","temperature":NaN}""")), 400, ErrorShape.OpenAi),
        new("v1: raw control character in a string", V1("/v1/responses", Utf8("{\"model\":\"gpt-5.5\",\"input\":\"a\u0001b\"}")), 400, ErrorShape.OpenAi),
        new("v1: model is an object", V1("/v1/responses", Utf8("""{"model":{"name":"gpt-5.5"},"input":"hi"}""")), 400, ErrorShape.OpenAi, "'model'"),
        new("v1: input is a number", V1("/v1/responses", Utf8("""{"model":"gpt-5.5","input":42}""")), 400, ErrorShape.OpenAi, "'input'"),
        new("v1 chat: messages is a string", V1("/v1/chat/completions", Utf8("""{"model":"gpt-5.5","messages":"hi"}""")), 400, ErrorShape.OpenAi),

        // Bodies that are not what their Content-Encoding says, bombs, and bodies that stall.
        new("v1: corrupt gzip", V1Encoded("gzip", Utf8("this is not gzip at all")), 400, ErrorShape.OpenAi, "gzip"),
        new("v1: truncated gzip", V1Encoded("gzip", Gzip(Ok)[..12]), 400, ErrorShape.OpenAi, "gzip"),
        new("v1: corrupt deflate", V1Encoded("deflate", [0x78, 0x9C, 0xFF, 0xFF, 0x00, 0x01]), 400, ErrorShape.OpenAi, "deflate"),
        new("v1: corrupt brotli", V1Encoded("br", Utf8("definitely not brotli, not at all")), 400, ErrorShape.OpenAi, "br"),
        new("v1: corrupt zstd", V1Encoded("zstd", [0x28, 0xB5, 0x2F, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF]), 400, ErrorShape.OpenAi, "zstd"),
        new("v1: gzip bomb", V1Encoded("gzip", Gzip(Bomb(HostileInputFixture.MaxBodyBytes * 16))), 413, ErrorShape.OpenAi, "larger than"),
        new("v1: zstd bomb", V1Encoded("zstd", Zstd(Bomb(HostileInputFixture.MaxBodyBytes * 16))), 413, ErrorShape.OpenAi, "larger than"),
        new("v1: gzip of invalid UTF-8", V1Encoded("gzip", Gzip([.. Utf8("""{"model":"gpt-5.5","input":"""), 0xC3, .. Utf8("\"}")])), 400, ErrorShape.OpenAi, "UTF-8"),
        new("v1: unknown Content-Encoding", V1Encoded("compress", Ok), 415, ErrorShape.OpenAi, "not supported"),
        new("v1: stacked Content-Encoding", V1Encoded("gzip, gzip", Ok), 415, ErrorShape.OpenAi, "not supported"),
        new("v1: Content-Length over the limit", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json",
            $"Content-Length: {HostileInputFixture.MaxBodyBytes + 1}"], null, c.Host)], 413, ErrorShape.OpenAi, "larger than"),
        new("v1: body stalls half-way", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json",
            "Content-Length: 500"], null, c.Host), Utf8("{\"model\":"), null], 408, ErrorShape.OpenAi, "too slowly"),

        // Headers.
        new("v1: key with non-ASCII bytes", c => [Request("POST", "/v1/responses", ["Authorization: Bearer mcx_caf\u00C3\u00A9", "Content-Type: application/json"], Ok, c.Host)], 401, ErrorShape.OpenAi, "API key"),
        new("admin: token with non-ASCII bytes", c => [Request("GET", "/admin/accounts", ["x-admin-token: caf\u00C3\u00A9"], null, c.Host)], 401, ErrorShape.Admin, "x-admin-token"),
        new("admin: token with a control character", c => [Request("GET", "/admin/accounts", ["x-admin-token: a\u0001b"], null, c.Host)], 401, ErrorShape.Admin, "x-admin-token"),
        new("v1: 64 KB header", V1("/v1/responses", Ok, "x-big: " + new string('a', 64 * 1024)), 431, ErrorShape.Bare),
        new("v1: 150 headers", V1("/v1/responses", Ok, [.. Enumerable.Range(0, 150).Select(i => $"x-h{i}: {i}")]), 431, ErrorShape.Bare),
        new("v1: folded header line", V1("/v1/responses", Ok, "x-folded: a", " continued"), 400, ErrorShape.Bare),
        new("v1: bare CR in a header", V1("/v1/responses", Ok, "x-cr: a\rb"), 400, ErrorShape.Bare),
        new("no Host header", c => [Request("GET", "/v1/models", [$"Authorization: Bearer {c.ApiKey}"], null, host: null)], 400, ErrorShape.Bare),
        new("two Host headers", c => [Request("GET", "/v1/models", [$"Host: {c.Host}", $"Authorization: Bearer {c.ApiKey}"], null, c.Host)], 400, ErrorShape.Bare),
        new("rebinding Host on /admin", c => [Request("GET", $"/admin/accounts/{c.AccountId}/export", [$"x-admin-token: {c.AdminToken}"], null, $"rebind.example:{c.Edge.Port}")], 400, ErrorShape.Text, "Invalid Hostname"),
        new("rebinding Host on /v1", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json"], Ok, $"attacker.test:{c.Edge.Port}")], 400, ErrorShape.Text),
        new("absolute-form target for another host", c => [Request("GET", "http://evil.example/v1/models", [$"Authorization: Bearer {c.ApiKey}"], null, c.Host)], 400, ErrorShape.Bare),
        new("Content-Length and Transfer-Encoding both", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json",
            "Transfer-Encoding: chunked", "Content-Length: 5"], Utf8("0\r\n\r\n"), c.Host, contentLength: false)], 400, ErrorShape.Bare),
        new("broken chunked body", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Type: application/json",
            "Transfer-Encoding: chunked"], Utf8("zz\r\nnot a chunk\r\n"), c.Host, contentLength: false)], 400, ErrorShape.OpenAi),
        new("Content-Length not a number", c => [Request("POST", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}", "Content-Length: ten"], null, c.Host)], 400, ErrorShape.Bare),
        new("request line over 8 KB", Get("/v1/models?q=" + new string('a', 9 * 1024)), 414, ErrorShape.Bare),

        // Method confusion and unknown routes.
        // GET /v1/responses is the Responses WebSocket: without an upgrade, 426 says how to open it.
        new("GET /v1/responses without an upgrade", c => [Request("GET", "/v1/responses", [$"Authorization: Bearer {c.ApiKey}"], null, c.Host)], 426, ErrorShape.OpenAi, "WebSocket upgrade"),
        new("GET /v1/chat/completions", c => [Request("GET", "/v1/chat/completions", [$"Authorization: Bearer {c.ApiKey}"], null, c.Host)], 404, ErrorShape.OpenAi, "Unknown endpoint"),
        new("PUT /v1/chat/completions", c => [Request("PUT", "/v1/chat/completions", [$"Authorization: Bearer {c.ApiKey}"], Ok, c.Host)], 404, ErrorShape.OpenAi, "Unknown endpoint"),
        new("POST /v1/embeddings", V1("/v1/embeddings", Ok), 404, ErrorShape.OpenAi, "Unknown endpoint"),
        new("GET on a custom admin method", Admin("GET", "/admin/accounts/{id}/unblock", null), 404, ErrorShape.Admin),
        new("DELETE on the account collection", Admin("DELETE", "/admin/accounts", null), 404, ErrorShape.Admin),
        new("unknown admin route", Admin("GET", "/admin/secrets", null), 404, ErrorShape.Admin),
        new("method override header is ignored", Admin("POST", "/admin/accounts", "{\"bogus\":1}", "X-HTTP-Method-Override: DELETE"), 400, ErrorShape.Admin),

        // Traversal.
        new("/admin/../v1 is /v1 (and needs a key)", Get("/admin/../v1/models"), 401, ErrorShape.OpenAi, "API key"),
        new("/v1/../admin is /admin (and needs the token)", Get("/v1/../admin/accounts"), 401, ErrorShape.Admin, "x-admin-token"),
        new("encoded dots reach /admin (and need the token)", Get("/v1/%2e%2e/admin/accounts"), 401, ErrorShape.Admin, "x-admin-token"),
        new("traversal in an account id", Admin("GET", "/admin/accounts/..%2F..%2Fetc%2Fpasswd", null), 404, ErrorShape.Admin),
        new("traversal in the export id", Admin("GET", "/admin/accounts/..%2Faccounts.json/export", null), 404, ErrorShape.Admin),
        new("traversal in a sign-in id", Admin("GET", "/admin/oauth/status/..%2F..%2Faccounts", null), 404, ErrorShape.Admin),
        new("backslashes are no separators: a dashboard page", Get("/v1\\..\\admin\\accounts"), 200, ErrorShape.Text, "MultiCodex"),

        // Garbage sign-in URLs.
        new("oauth: not a URL", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":"not a url"}"""), 400, ErrorShape.Admin),
        new("oauth: no code, no state", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":"http://localhost:1455/auth/callback"}"""), 400, ErrorShape.Admin),
        new("oauth: unknown state", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":"http://localhost:1455/auth/callback?code=ac_guess&state=guessed-state"}"""), 400, ErrorShape.Admin),
        new("oauth: javascript URL", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":"javascript:alert(document.cookie)"}"""), 400, ErrorShape.Admin),
        new("oauth: 100 KB URL", Admin("POST", "/admin/oauth/complete", "{\"redirectUrl\":\"http://localhost:1455/auth/callback?code=" + new string('x', 100_000) + "\"}"), 400, ErrorShape.Admin),
        new("oauth: error redirect for an unknown state", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":"http://localhost:1455/auth/callback?error=access_denied&state=nope"}"""), 400, ErrorShape.Admin),
        new("oauth: URL is a number", Admin("POST", "/admin/oauth/complete", """{"redirectUrl":123}"""), 400, ErrorShape.Admin),
        new("oauth: start with a non-string email", Admin("POST", "/admin/oauth/start", """{"email":{"x":1}}"""), 400, ErrorShape.Admin),

        // Admin bodies.
        new("admin: invalid UTF-8 body", AdminBytes("POST", "/admin/api-keys", [.. Utf8("{\"name\":\""), 0xC3, 0x28, .. Utf8("\"}")]), 400, ErrorShape.Admin),
        new("admin: label is an object", Admin("PATCH", "/admin/accounts/{id}", """{"label":{"x":1}}"""), 400, ErrorShape.Admin),
        new("admin: empty key name", Admin("POST", "/admin/api-keys", """{"name":""}"""), 400, ErrorShape.Admin),
        new("admin: JSON array body", Admin("POST", "/admin/api-keys", "[]"), 400, ErrorShape.Admin),

        // Cross-site and browser-only refusals.
        new("browser form post from the same origin", c => [Request("POST", "/admin/api-keys", [$"x-admin-token: {c.AdminToken}", "Content-Type: application/x-www-form-urlencoded",
            $"Origin: http://{c.Host}", "Sec-Fetch-Site: same-origin", "Sec-Fetch-Mode: cors"], Utf8("{\"name\":\"x\"}"), c.Host)], 415, ErrorShape.Admin, "application/json"),
        new("cross-site form post", c => [Request("POST", "/admin/api-keys", ["Content-Type: application/x-www-form-urlencoded", "Origin: http://evil.example",
            "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document"], Utf8("{\"name\":\"x\"}"), c.Host)], 403, ErrorShape.Admin, "Cross-origin"),
        new("no-cors text/plain post from another port", c => [Request("POST", "/admin/api-keys", ["Content-Type: text/plain", "Origin: http://127.0.0.1:1",
            "Sec-Fetch-Site: same-site", "Sec-Fetch-Mode: no-cors"], Utf8("{\"name\":\"x\"}"), c.Host)], 403, ErrorShape.Admin, "Cross-origin"),
        new("Origin null", c => [Request("POST", "/admin/api-keys", [$"x-admin-token: {c.AdminToken}", "Content-Type: application/json", "Origin: null"],
            Utf8("{\"name\":\"x\"}"), c.Host)], 403, ErrorShape.Admin, "Cross-origin"),
        new("cross-site navigation to the export", Admin("GET", $"/admin/accounts/{{id}}/export", null, "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate",
            "Sec-Fetch-Dest: document"), 403, ErrorShape.Admin, "Cross-origin"),
        new("cross-site fetch to /v1", V1("/v1/responses", Ok, "Origin: http://evil.example", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors"), 403, ErrorShape.OpenAi, "Cross-origin"),
        new("cross-site script load of the dashboard", Get("/_next/static/app.js", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: script"), 403, ErrorShape.Text, "Cross-origin"),
        new("dashboard in a cross-site frame", Get("/accounts", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: iframe"), 403, ErrorShape.Text, "Cross-origin"),
        new("cross-site gRPC-Web", GrpcWeb("/multicodex.control.v1.AccountService/ListAccounts", Frame([]), true, "Origin: http://evil.example", "Sec-Fetch-Site: cross-site"),
            200, ErrorShape.Grpc, "Cross-origin", GrpcStatus: 7),

        // Tokens and internal services.
        new("admin: wrong token", c => [Request("GET", "/admin/accounts", ["x-admin-token: not-the-token"], null, c.Host)], 401, ErrorShape.Admin, "Wrong x-admin-token"),
        new("admin: no token", c => [Request("GET", "/admin/api-keys", [], null, c.Host)], 401, ErrorShape.Admin, "Missing x-admin-token"),
        new("metrics without the token", c => [Request("GET", "/metrics", [], null, c.Host)], 401, ErrorShape.Admin, "x-admin-token"),
        new("gRPC-Web: wrong token", GrpcWeb("/multicodex.control.v1.AccountService/ListAccounts", Frame([]), false, "x-admin-token: nope"), 200, ErrorShape.Grpc, GrpcStatus: 16),
        new("gRPC-Web: WatchPool is internal", GrpcWeb("/multicodex.control.v1.PoolService/WatchPool", Frame(new WatchPoolRequest { EdgeId = "edge_x" }.ToByteArray())),
            200, ErrorShape.Grpc, "internal", GrpcStatus: 7),
        new("gRPC-Web: ReportOutcomes is internal", GrpcWeb("/multicodex.control.v1.PoolService/ReportOutcomes", Frame(new ReportOutcomesRequest
        {
            EdgeId = "edge_x",
            Reports = { new PoolReport { Sequence = 1, Attempt = new AttemptReport { AccountId = "acc_x", StatusCode = 429, ErrorCode = "usage_limit_reached" } } },
        }.ToByteArray())), 200, ErrorShape.Grpc, "internal", GrpcStatus: 7),
        new("gRPC-Web: RefreshAccessToken is internal", GrpcWeb("/multicodex.control.v1.PoolService/RefreshAccessToken",
            Frame(new RefreshAccessTokenRequest { AccountId = "acc_x" }.ToByteArray())), 200, ErrorShape.Grpc, "internal", GrpcStatus: 7),
        new("gRPC-Web: unknown service", GrpcWeb("/multicodex.control.v1.SecretService/Dump", Frame([])), 200, ErrorShape.Grpc, "internal", GrpcStatus: 7),
        new("gRPC-Web: frame shorter than declared", GrpcWeb("/multicodex.control.v1.AccountService/ListAccounts", Frame([1, 2], declaredLength: 50)), 200, ErrorShape.Grpc, "shorter", GrpcStatus: 3),
        new("gRPC-Web: no message at all", GrpcWeb("/multicodex.control.v1.AccountService/ListAccounts", []), 200, ErrorShape.Grpc, "no message", GrpcStatus: 3),
        new("gRPC-Web: 2 GB frame declared", GrpcWeb("/multicodex.control.v1.AccountService/ListAccounts", Frame([], declaredLength: int.MaxValue)), 200, ErrorShape.Grpc, GrpcStatus: 8),
        new("gRPC-Web: garbage protobuf", GrpcWeb("/multicodex.control.v1.AccountService/GetAccount", Frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])), 200, ErrorShape.Grpc, "not valid protobuf", GrpcStatus: 3),
    ];

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var hostile in All)
            {
                names.Add(hostile.Name);
            }
            return names;
        }
    }
}
