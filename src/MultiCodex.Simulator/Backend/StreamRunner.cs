using MultiCodex.Simulator.Hosting;
using MultiCodex.Simulator.Sse;

namespace MultiCodex.Simulator.Backend;

/// <summary>Plays a planned event list into a sink with the behaviour's pacing: a delay before each event on the fake's
/// clock (<see cref="ResponseBehavior.Slow"/>), and for <see cref="ResponseBehaviorKind.DropMidStream"/> a stop after
/// the scripted number of text deltas, followed by a short grace (also on the clock) so the client has received them
/// before the caller breaks the connection.</summary>
internal static class StreamRunner
{
    /// <summary>How long a drop waits after the last delta before the connection is broken.</summary>
    public static readonly TimeSpan DropGrace = TimeSpan.FromMilliseconds(150);

    /// <summary>Returns true when every event was sent, false when the behaviour dropped the stream (after its grace).</summary>
    public static async Task<bool> RunAsync(IReadOnlyList<SseEvent> events, ResponseBehavior behavior, IEventSink sink, StreamClock clock, CancellationToken cancellationToken)
    {
        var deltas = 0;
        var sequence = 0;
        foreach (var sseEvent in events)
        {
            if (behavior.Kind == ResponseBehaviorKind.DropMidStream && sseEvent.IsTextDelta && deltas == behavior.DeltasBeforeDrop)
            {
                // A flush only hands bytes to Kestrel and an abort discards what the socket has not sent yet.
                await clock.DelayAsync(DropGrace, cancellationToken);
                return false;
            }

            await clock.DelayAsync(behavior.EventDelay, cancellationToken);
            await sink.SendAsync(sseEvent.Type, sseEvent.Payload(sseEvent.IsSequenced ? sequence++ : 0), cancellationToken);
            deltas += sseEvent.IsTextDelta ? 1 : 0;
        }

        return true;
    }
}
