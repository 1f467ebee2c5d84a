namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// One upstream event as the pipeline's one reader hands it on: the SSE bytes, what kind it is (from its name
/// alone), and for the event that ends the response its facts, parsed once. The memory is valid until the next read.
/// </summary>
public readonly struct UpstreamEvent(SseEvent sse, UpstreamEventKind kind, TerminalFacts? terminal)
{
    public SseEvent Sse { get; } = sse;

    public UpstreamEventKind Kind { get; } = kind;

    /// <summary>Set on the terminal event (completed, incomplete, done, failed, error); null on every other.</summary>
    public TerminalFacts? Terminal { get; } = terminal;

    public ReadOnlySpan<byte> Data => Sse.Data.Span;
}
