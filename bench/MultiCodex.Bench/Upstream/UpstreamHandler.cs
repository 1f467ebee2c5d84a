using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MultiCodex.Bench.Upstream;

/// <summary>How the fake upstream answers; fixed for its lifetime.</summary>
/// <param name="Accounts">The sign-ins whose access tokens it accepts.</param>
/// <param name="LongInterval">Long-stream mode: the pause before each delta.</param>
/// <param name="LongDeltas">Long-stream mode: how many deltas (the stream lasts about interval × deltas).</param>
/// <param name="RecordBodies">Keep the last request body for <c>/bench/last-body</c> (the smoke checks it).</param>
internal sealed record UpstreamSettings(IReadOnlyList<BenchAccount> Accounts, TimeSpan LongInterval, int LongDeltas, bool RecordBodies);

/// <summary>
/// The routes of the fake ChatGPT backend, kept to what the benchmark needs and cheap enough never to be its
/// bottleneck: every answer is prepared at start. <c>POST /backend-api/codex/responses</c> answers the fixed
/// <see cref="CodexStream"/> (or, when the body asks for it, a slow long stream); <c>GET /backend-api/wham/usage</c>
/// keeps Control's usage probe happy; <c>/bench/*</c> tells the harness what arrived.
/// </summary>
internal sealed partial class UpstreamHandler
{
    /// <summary>A request whose first 64 KB hold this asks for a long stream (in <c>client_metadata</c>, which proxies pass on).</summary>
    public static readonly byte[] LongStreamMarker = "\"bench_stream\":\"long\""u8.ToArray();

    private const int MarkerWindow = 64 * 1024;
    private static readonly StringValues EventStream = "text/event-stream; charset=utf-8";

    private readonly UpstreamSettings _settings;
    private readonly Dictionary<string, string> _accountIdByAuthorization;
    private readonly Dictionary<string, byte[]> _usageByAccountId;
    private readonly KeyValuePair<string, StringValues>[] _rateLimitHeaders;
    private readonly byte[][] _longDeltas;
    private readonly byte[] _longClosing;
    private long _requests;
    private long _bodyBytes;
    private byte[] _lastBody = [];

    public UpstreamHandler(UpstreamSettings settings, DateTimeOffset now)
    {
        _settings = settings;
        _accountIdByAuthorization = settings.Accounts.ToDictionary(a => "Bearer " + a.AccessToken, a => a.ChatGptAccountId);
        _usageByAccountId = settings.Accounts.ToDictionary(a => a.ChatGptAccountId, a => UsageBody(a, now));
        _rateLimitHeaders = RateLimitHeaders(now);
        _longDeltas = Enumerable.Range(0, settings.LongDeltas).Select(CodexStream.Delta).ToArray();
        _longClosing = CodexStream.Closing(4 + settings.LongDeltas);
    }

    public Task HandleAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/backend-api/codex/responses" when HttpMethods.IsPost(context.Request.Method) => ResponsesAsync(context),
        "/backend-api/codex/responses" when context.WebSockets.IsWebSocketRequest => SocketAsync(context),
        "/backend-api/wham/usage" => UsageAsync(context),
        "/bench/counters" => Json(context, 200, new JsonObject
        {
            ["requests"] = Interlocked.Read(ref _requests),
            ["bodyBytes"] = Interlocked.Read(ref _bodyBytes),
        }.ToJsonString()),
        "/bench/last-body" => context.Response.Body.WriteAsync(Volatile.Read(ref _lastBody)).AsTask(),
        _ => Json(context, 404, """{"detail":"Not Found"}"""),
    };

    private async Task ResponsesAsync(HttpContext context)
    {
        if (Authenticate(context) is null)
        {
            await Json(context, 401, """{"detail":"Could not validate your credentials"}""");
            return;
        }
        var isLong = await ReadBodyAsync(context);
        Interlocked.Increment(ref _requests);

        var response = context.Response;
        response.StatusCode = 200;
        response.Headers.ContentType = EventStream;
        response.Headers.CacheControl = "no-cache";
        foreach (var (name, value) in _rateLimitHeaders)
        {
            response.Headers[name] = value;
        }
        if (!isLong)
        {
            await response.BodyWriter.WriteAsync(CodexStream.Full, context.RequestAborted);
            return;
        }
        await LongStreamAsync(response, context.RequestAborted);
    }

    // Events trickle in as a slow model's do: the prelude at once, then one delta per interval, then the end.
    private async Task LongStreamAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await response.BodyWriter.WriteAsync(CodexStream.Prelude, cancellationToken);
            foreach (var delta in _longDeltas)
            {
                await Task.Delay(_settings.LongInterval, cancellationToken);
                await response.BodyWriter.WriteAsync(delta, cancellationToken);
            }
            await response.BodyWriter.WriteAsync(_longClosing, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client (or the proxy in front) went away.
        }
    }

    // Drains the body, counts its bytes and looks for the long-stream marker near its start.
    private async Task<bool> ReadBodyAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var head = ArrayPool<byte>.Shared.Rent(MarkerWindow);
        var record = _settings.RecordBodies ? new MemoryStream() : null;
        var headLength = 0;
        long length = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                foreach (var segment in result.Buffer)
                {
                    var copy = Math.Min(segment.Length, MarkerWindow - headLength);
                    segment.Span[..copy].CopyTo(head.AsSpan(headLength));
                    headLength += copy;
                    record?.Write(segment.Span);
                }
                length += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            Interlocked.Add(ref _bodyBytes, length);
            if (record is not null)
            {
                Volatile.Write(ref _lastBody, record.ToArray());
            }
            return head.AsSpan(0, headLength).IndexOf(LongStreamMarker) >= 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private async Task UsageAsync(HttpContext context)
    {
        if (Authenticate(context) is not { } accountId)
        {
            await Json(context, 401, """{"detail":"Could not validate your credentials"}""");
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.BodyWriter.WriteAsync(_usageByAccountId[accountId]);
    }

    private string? Authenticate(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!_accountIdByAuthorization.TryGetValue(headers.Authorization.ToString(), out var accountId))
        {
            return null;
        }
        // The account header, when sent, must name the token's account (as the ChatGPT backend expects).
        var named = headers["ChatGPT-Account-ID"];
        return named.Count == 0 || named.ToString() == accountId ? accountId : null;
    }

    private static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body)).AsTask();
    }

    // The usage the ChatGPT backend reports, with windows part used so every account stays eligible.
    private static KeyValuePair<string, StringValues>[] RateLimitHeaders(DateTimeOffset now)
    {
        static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
        return
        [
            new("x-codex-primary-used-percent", "12"),
            new("x-codex-primary-window-minutes", "300"),
            new("x-codex-primary-reset-at", Text(now.AddSeconds(9_000).ToUnixTimeSeconds())),
            new("x-codex-primary-reset-after-seconds", "9000"),
            new("x-codex-secondary-used-percent", "30"),
            new("x-codex-secondary-window-minutes", "10080"),
            new("x-codex-secondary-reset-at", Text(now.AddSeconds(300_000).ToUnixTimeSeconds())),
            new("x-codex-secondary-reset-after-seconds", "300000"),
            new("x-codex-primary-over-secondary-limit-percent", "0"),
            new("x-codex-credits-has-credits", "false"),
            new("x-codex-credits-unlimited", "false"),
            new("x-codex-plan-type", "pro"),
            new("x-codex-active-limit", "codex"),
            new("x-models-etag", "\"bench-models-1\""),
        ];
    }

    private static byte[] UsageBody(BenchAccount account, DateTimeOffset now)
    {
        static JsonObject Window(int used, long seconds, long after, DateTimeOffset now) => new()
        {
            ["used_percent"] = used,
            ["limit_window_seconds"] = seconds,
            ["reset_after_seconds"] = after,
            ["reset_at"] = now.AddSeconds(after).ToUnixTimeSeconds(),
        };
        return Encoding.UTF8.GetBytes(new JsonObject
        {
            ["user_id"] = "user-" + account.ChatGptAccountId,
            ["account_id"] = account.ChatGptAccountId,
            ["email"] = account.Email,
            ["plan_type"] = "pro",
            ["rate_limit"] = new JsonObject
            {
                ["allowed"] = true,
                ["limit_reached"] = false,
                ["primary_window"] = Window(12, 18_000, 9_000, now),
                ["secondary_window"] = Window(30, 604_800, 300_000, now),
            },
            ["credits"] = new JsonObject { ["has_credits"] = false, ["unlimited"] = false, ["balance"] = "0" },
        }.ToJsonString());
    }
}
