using Google.Protobuf.WellKnownTypes;
using MultiCodex.Edge.Pool;
using ControlV1 = MultiCodex.Control.V1;

namespace MultiCodex.Edge.V1.WebSocket;

/// <summary>
/// Tells Control which client sockets are open on this Edge, so the dashboard can list every Edge's: the whole set, on
/// the report queue (<see cref="ReportQueue"/>), when it changes — at most every <see cref="MinInterval"/>, so a busy
/// Edge sends one snapshot per interval rather than one per response — and every <see cref="Heartbeat"/> while it is
/// not empty, because Control forgets an Edge's set that was not renewed for 30 seconds (an Edge that died says
/// nothing).
/// </summary>
internal sealed class LiveSessionsReporter(LiveWebSocketSessions live, ReportQueue queue, TimeProvider time) : BackgroundService
{
    /// <summary>The shortest time between two snapshots.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often an unchanged, non-empty set is sent again; well inside Control's 30 seconds.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Control knows nothing of this Edge's sockets yet, which is what an empty set says: nothing to send until one opens.
        var sent = 0L;
        var reported = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = reported > 0 ? Heartbeat : Timeout.InfiniteTimeSpan;
                await live.WaitForChangeAsync(sent, wait, time, stoppingToken);
                sent = live.Changes;
                var sessions = live.Snapshot();
                queue.Enqueue(Snapshot(sessions, time.GetUtcNow()), urgent: false);
                reported = sessions.Count;
                await Task.Delay(MinInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The Edge is stopping: Control drops this Edge's set when its pool watch ends.
        }
    }

    /// <summary>The report for a set of sockets; their opening times travel as ages, so the two clocks need not agree.</summary>
    internal static ControlV1.PoolReport Snapshot(IReadOnlyList<LiveWebSocketSession> sessions, DateTimeOffset now)
    {
        var report = new ControlV1.WebSocketSessionsReport();
        foreach (var session in sessions)
        {
            report.Sessions.Add(new ControlV1.ReportedWebSocketSession
            {
                SessionId = session.Id,
                AccountId = session.AccountId ?? "",
                ClientName = session.ClientName ?? "",
                OpenFor = Duration.FromTimeSpan(now > session.OpenedAt ? now - session.OpenedAt : TimeSpan.Zero),
                Responses = session.Turns,
                UpstreamTransport = session.Upstream,
            });
        }
        return new ControlV1.PoolReport { WebsocketSessions = report };
    }
}
