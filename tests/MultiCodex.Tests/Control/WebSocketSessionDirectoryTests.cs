using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Control.V1;
using MultiCodex.Control.WebSocketSessions;

namespace MultiCodex.Tests.Control;

/// <summary>
/// What Control keeps of the Edges' open WebSockets: each Edge's latest set, placed on Control's clock, dropped when
/// the Edge stops renewing it or stops following the pool.
/// </summary>
public sealed class WebSocketSessionDirectoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheLatestSetOfEachEdge_ReplacesItsOlderOne_AndOpeningTimesComeFromAges()
    {
        var time = new FakeTimeProvider(Start);
        var directory = new WebSocketSessionDirectory(time);

        directory.Apply("edge-a", Report(("ws_1", 60)), Start);
        directory.Apply("edge-b", Report(("ws_2", 10)), Start);
        directory.Apply("edge-a", Report(("ws_3", 5)), Start.AddSeconds(2));
        directory.Apply("edge-a", Report(("ws_1", 60)), Start.AddSeconds(1)); // recorded before the one held: ignored

        var listed = directory.List();
        Assert.Equal(["ws_2", "ws_3"], listed.Select(s => s.Id));
        Assert.Equal(Start.AddSeconds(-10), listed[0].OpenedAt);
        Assert.Equal("edge-b", listed[0].EdgeId);
        Assert.Equal(Start.AddSeconds(-3), listed[1].OpenedAt);
    }

    [Fact]
    public void ASetNotRenewedFor30Seconds_IsForgotten()
    {
        var time = new FakeTimeProvider(Start);
        var directory = new WebSocketSessionDirectory(time);
        directory.Apply("edge-a", Report(("ws_1", 0)), Start);

        time.Advance(WebSocketSessionDirectory.ForgetAfter);
        Assert.Single(directory.List());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(directory.List());
    }

    [Fact]
    public void WhenAnEdgesLastPoolWatchEnds_ItsSocketsAreForgotten()
    {
        var directory = new WebSocketSessionDirectory(new FakeTimeProvider(Start));
        directory.WatchStarted("edge-a");
        directory.WatchStarted("edge-a"); // reconnected before the old stream was noticed as gone
        directory.Apply("edge-a", Report(("ws_1", 0)), Start);

        directory.WatchEnded("edge-a");
        Assert.Single(directory.List());
        directory.WatchEnded("edge-a");
        Assert.Empty(directory.List());
    }

    private static WebSocketSessionsReport Report(params (string Id, int OpenForSeconds)[] sessions)
    {
        var report = new WebSocketSessionsReport();
        report.Sessions.AddRange(sessions.Select(s => new ReportedWebSocketSession
        {
            SessionId = s.Id,
            AccountId = "acct",
            OpenFor = Duration.FromTimeSpan(TimeSpan.FromSeconds(s.OpenForSeconds)),
            Responses = 1,
            UpstreamTransport = "websocket",
        }));
        return report;
    }
}
