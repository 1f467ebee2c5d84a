using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// The WebSocket transport of one <c>response.create</c> frame (a socket carries many, one at a time): the frame is
/// the body; every event goes out as one text frame, its JSON unchanged; an error is an <c>error</c> frame with a
/// numeric <c>status</c> (without one the Codex CLI waits for its idle timeout, docs/websocket.md); while step 3
/// holds the first event back, <c>codex.keepalive</c> frames keep the client from timing out. It notes whether the
/// frame that ends the request went out, so the socket can guarantee exactly one per request.
/// </summary>
internal sealed class SocketTransport(ClientSocket session, PooledBuffer frame, CancellationTokenSource cancel) : IClientTransport
{
    private readonly PooledBuffer _pending = new(4096);
    private readonly List<int> _ends = [];
    private PooledBuffer? _body = frame;

    public ClientSocket Session => session;

    public string Name => "websocket";

    public IHeaderDictionary Headers => session.Headers;

    public string? ClientName => session.ClientName;

    public string ClientKeyId => session.ClientKeyId;

    public CancellationToken Aborted => cancel.Token;

    /// <summary>True once the frame that ends the request was queued: a terminal event or an error frame.</summary>
    public bool Ended { get; private set; }

    /// <summary>The response's id as the client learned it from <c>response.created</c>.</summary>
    public string? ResponseId { get; set; }

    /// <summary>True when the client asked to interrupt the response and the Edge stops it itself.</summary>
    public bool Interrupted { get; private set; }

    public ValueTask<(PooledBuffer? Body, ClientError? Error)> ReadBodyAsync(long maxBytes)
    {
        var body = Interlocked.Exchange(ref _body, null);
        return ValueTask.FromResult<(PooledBuffer?, ClientError?)>((body, body is null ? ClientError.InvalidRequest("The frame was read already.") : null));
    }

    public IDisposable HoldFirstEvent() => session.Keepalive();

    public void Explain(string account, string reason, string attempts)
    {
        if (!session.WantsExplanation)
        {
            return;
        }
        using var json = new Utf8JsonWriter(BeginEvent(default), OpenAiErrors.WriterOptions);
        json.WriteStartObject();
        json.WriteString("type"u8, "multicodex.explain"u8);
        json.WriteString("account"u8, account);
        json.WriteString("reason"u8, reason);
        json.WriteString("attempts"u8, attempts);
        json.WriteEndObject();
        json.Flush();
        EndEvent();
    }

    public async ValueTask AnswerErrorAsync(ClientError error)
    {
        using (var json = new Utf8JsonWriter(BeginEvent(default), OpenAiErrors.WriterOptions))
        {
            OpenAiErrors.WriteFrame(json, error);
        }
        EndEvent();
        Ended = true;
        await FlushAsync();
    }

    public async ValueTask AnswerJsonAsync(HttpResponseHeaders? upstreamHeaders, ReadOnlyMemory<byte> json)
    {
        BeginEvent(default).Write(json.Span);
        EndEvent();
        Ended = true;
        await FlushAsync();
    }

    public void StartStream(HttpResponseHeaders upstreamHeaders)
    {
        // A socket has no headers to start with: the events are the whole answer.
    }

    public void Relay(in SseEvent e)
    {
        BeginEvent(default).Write(e.Data.Span);
        EndEvent();
    }

    /// <summary>Passes an upstream event on; one that ends the response ends the request.</summary>
    public void Relay(in UpstreamEvent e)
    {
        Relay(e.Sse);
        Ended |= e.Kind.IsTerminal();
    }

    /// <summary>Notes that the event just queued ended the request (one the dialect composed).</summary>
    public void MarkEnded() => Ended = true;

    public IBufferWriter<byte> BeginEvent(ReadOnlySpan<byte> name)
    {
        Ended |= name.SequenceEqual("response.failed"u8);
        return _pending;
    }

    public void EndEvent() => _ends.Add(_pending.Length);

    /// <summary>Stops the response here (the client asked to interrupt it and no upstream socket runs it).</summary>
    public void Interrupt()
    {
        Interrupted = true;
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request ended meanwhile.
        }
    }

    /// <summary>Queues the end of an interrupted response the Edge stopped itself.</summary>
    public void EndInterrupted(string responseId)
    {
        LocalAnswers.Interrupted(_pending, responseId);
        EndEvent();
        Ended = true;
    }

    public async ValueTask FlushAsync()
    {
        var start = 0;
        foreach (var end in _ends)
        {
            await session.SendAsync(_pending.Memory[start..end]);
            start = end;
        }
        _ends.Clear();
        _pending.Clear();
    }

    public ValueTask CompleteAsync() => FlushAsync();

    /// <summary>Returns what the transport holds (the frame, if the pipeline never read it).</summary>
    public void Release()
    {
        Interlocked.Exchange(ref _body, null)?.Dispose();
        _pending.Dispose();
    }
}
