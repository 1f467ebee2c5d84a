using MultiCodex.Edge.Pool;
using MultiCodex.Edge.V1.Protocol;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// One <c>response.create</c> frame on its way upstream: <see cref="UpstreamRequest.Body"/> is the patched frame; the
/// body actually sent is built per attempt (<see cref="UpstreamSocketRoute"/> decides which), because it depends on
/// where the attempt goes: the same upstream socket (a continuation), a new one (a full frame) or upstream HTTP.
/// </summary>
internal sealed class SocketRequest : UpstreamRequest
{
    private PooledBuffer? _sent;

    public required ResponseCreateFrame Frame { get; init; }

    /// <summary>The frame for an upstream socket (see <see cref="ResponseCreateFrame.WriteFrame"/>), with the lease's model.</summary>
    public ReadOnlyMemory<byte> FrameFor(AccountLease lease, string? previousResponseId, ReadOnlySpan<byte> prior, bool dropTurnState)
    {
        var body = Reset();
        Frame.WriteFrame(body, previousResponseId, prior, dropTurnState);
        return ForModel(lease, body.Memory);
    }

    /// <summary>The request for upstream HTTP: the full input without the WebSocket's own fields (the model is the lease's business there).</summary>
    public UpstreamRequest ForHttp(ReadOnlySpan<byte> prior, bool dropTurnState)
    {
        var body = new PooledBuffer(Body.Length + prior.Length + 64);
        Frame.WriteHttpBody(body, prior, dropTurnState);
        return new UpstreamRequest { Model = Model, ClientStreams = true, SessionKey = SessionKey, SessionId = SessionId, Body = body, RoutingHint = RoutingHint };
    }

    public override void Dispose()
    {
        _sent?.Dispose();
        base.Dispose();
    }

    private PooledBuffer Reset()
    {
        _sent ??= new PooledBuffer(Body.Length + 64);
        _sent.Clear();
        return _sent;
    }

    // A reserve answers to its own model id (docs/account-pool.md): the frame names it instead of the one asked for.
    private ReadOnlyMemory<byte> ForModel(AccountLease lease, ReadOnlyMemory<byte> body) =>
        lease.UpstreamModel is { } model && model != Model ? WithModel(body, model) : body;
}
