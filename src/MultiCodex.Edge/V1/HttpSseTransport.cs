using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1;

/// <summary>
/// The HTTP transport: the body from the request, errors as a status and an OpenAI error body, streams as
/// server-sent events written straight into Kestrel's response pipe (no copy per event).
/// </summary>
internal sealed class HttpSseTransport(HttpContext http) : IClientTransport
{
    /// <summary>The request header that asks for <c>x-multicodex-account</c>, <c>-reason</c> and <c>-attempts</c> on the answer.</summary>
    public const string ExplainHeader = "x-multicodex-explain";

    private const string ClientNameItem = "multicodex.client";
    private const string ClientKeyItem = "multicodex.client-key";

    public string Name => "http";

    public IHeaderDictionary Headers => http.Request.Headers;

    public string? ClientName => http.Items[ClientNameItem] as string;

    public string ClientKeyId => http.Items[ClientKeyItem] as string ?? "";

    public CancellationToken Aborted => http.RequestAborted;

    private PooledBuffer? _event; // the event being composed: handed to the response pipe in one write

    private PipeWriter Writer => http.Response.BodyWriter;

    /// <summary>Remembers the client key's name and id (the key check runs before the transport exists).</summary>
    public static void SetClientKey(HttpContext http, string? name, string? keyId)
    {
        http.Items[ClientNameItem] = name;
        http.Items[ClientKeyItem] = keyId;
    }

    public void Observe(RequestTrace trace) => Observability.ServerTiming.Follow(http, trace);

    public ValueTask<(PooledBuffer? Body, ClientError? Error)> ReadBodyAsync(long maxBytes) =>
        ClientBodyReader.ReadAsync(http.Request, maxBytes, http.RequestAborted);

    // HTTP cannot say anything before its status line, and a status commits to an answer: the first-event
    // timeout bounds the wait instead (FIRST_EVENT_TIMEOUT_SECONDS).
    public IDisposable HoldFirstEvent() => NoHold.Instance;

    public void Explain(string account, string reason, string attempts)
    {
        if (http.Request.Headers.ContainsKey(ExplainHeader) && !http.Response.HasStarted)
        {
            http.Response.Headers["x-multicodex-account"] = HeaderText(account);
            http.Response.Headers["x-multicodex-reason"] = HeaderText(reason);
            http.Response.Headers["x-multicodex-attempts"] = HeaderText(attempts);
        }
    }

    public async ValueTask AnswerErrorAsync(ClientError error)
    {
        var response = http.Response;
        response.StatusCode = error.Status;
        foreach (var (name, value) in OpenAiErrors.Headers(error))
        {
            response.Headers[name] = value;
        }
        using var body = OpenAiErrors.Body(error);
        await WriteJsonAsync(body.Memory);
    }

    public async ValueTask AnswerJsonAsync(HttpResponseHeaders? upstreamHeaders, ReadOnlyMemory<byte> json)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        CopyUpstreamHeaders(upstreamHeaders);
        await WriteJsonAsync(json);
    }

    public void StartStream(HttpResponseHeaders upstreamHeaders)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        CopyUpstreamHeaders(upstreamHeaders);
    }

    public void Relay(in SseEvent e) => Writer.Write(e.Raw.Span);

    // A composed event (a chat chunk, a synthesized failure) is built in a buffer of its own and then written to the
    // response pipe at once: each write into Kestrel's pipe has a cost, and a chunk is made of several pieces.
    public IBufferWriter<byte> BeginEvent(ReadOnlySpan<byte> name)
    {
        if (_event is null)
        {
            _event = new PooledBuffer(1024);
            http.Response.RegisterForDispose(_event);
        }
        _event.Clear();
        if (!name.IsEmpty)
        {
            _event.Write("event: "u8);
            _event.Write(name);
            _event.Write((byte)'\n');
        }
        _event.Write("data: "u8);
        return _event;
    }

    public void EndEvent()
    {
        _event!.Write("\n\n"u8);
        Writer.Write(_event.Span);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        var result = await Writer.FlushAsync(http.RequestAborted);
        if (result.IsCompleted || result.IsCanceled)
        {
            http.Abort(); // the client stopped reading: make RequestAborted say so
            throw new OperationCanceledException("The client went away.", http.RequestAborted);
        }
    }

    public async ValueTask CompleteAsync() => await http.Response.CompleteAsync();

    private async ValueTask WriteJsonAsync(ReadOnlyMemory<byte> json)
    {
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = json.Length;
        await http.Response.Body.WriteAsync(json, http.RequestAborted);
    }

    // The upstream headers a client may read: the Codex CLI replays x-codex-turn-state; SDKs log x-request-id.
    private void CopyUpstreamHeaders(HttpResponseHeaders? upstream)
    {
        if (upstream is null)
        {
            return;
        }
        foreach (var (name, values) in upstream)
        {
            if (name.StartsWith("x-codex-", StringComparison.OrdinalIgnoreCase) || name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase) || name.Equals("x-models-etag", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }
    }

    // Response header values are ASCII; an email with other characters keeps its shape with '?' for them.
    private static string HeaderText(string value) =>
        value.AsSpan().ContainsAnyExceptInRange(' ', '~') ? string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
            }
        }) : value;

    private sealed class NoHold : IDisposable
    {
        public static readonly NoHold Instance = new();

        public void Dispose()
        {
        }
    }
}
