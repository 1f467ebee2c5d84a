using System.Buffers;

namespace MultiCodex.Edge.V1.Protocol;

/// <summary>
/// Where the events of a streamed answer go. The client transport frames each one: an SSE event on HTTP
/// (<c>event: name</c> when named, <c>data: payload</c>, a blank line), one text frame on a WebSocket.
/// </summary>
public interface IEventSink
{
    /// <summary>Starts an event named <paramref name="name"/> (empty: a data-only event); its payload goes to the returned writer.</summary>
    IBufferWriter<byte> BeginEvent(ReadOnlySpan<byte> name);

    /// <summary>Ends the event begun last.</summary>
    void EndEvent();
}
