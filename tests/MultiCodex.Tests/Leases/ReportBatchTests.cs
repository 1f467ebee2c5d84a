using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using MultiCodex.Control.V1;
using MultiCodex.Edge.Pool;

namespace MultiCodex.Tests.Leases;

/// <summary>
/// The Edge queues its reports encoded and sends them without decoding them again: what Control reads must be every
/// report as it was queued, with its age at sending.
/// </summary>
public sealed class ReportBatchTests
{
    [Fact]
    public void Encode_GivesControlEveryReportAsQueued_WithItsAgeAtSending()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queue = new ReportQueue(10, time);
        var attempt = new AttemptReport { RequestId = "req_1", AccountId = "acct_1", StatusCode = 429, ErrorCode = "usage_limit_reached", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)) };
        attempt.RateLimitHeaders["x-codex-primary-used-percent"] = "100";
        attempt.RateLimitHeaders["x-codex-primary-reset-after-seconds"] = "600";
        var first = queue.Enqueue(new PoolReport { Attempt = attempt }, urgent: true);
        time.Advance(TimeSpan.FromSeconds(2));
        var second = queue.Enqueue(new PoolReport { Binding = new SessionBinding { SessionKey = "conv", AccountId = "acct_2" } }, urgent: false, age: TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(1));

        var sent = ReportOutcomesRequest.Parser.ParseFrom(queue.Peek(512).Encode("edge_abc"));

        Assert.Equal("edge_abc", sent.EdgeId);
        Assert.Equal([first, second], sent.Reports.Select(r => r.Sequence));
        Assert.Equal(new PoolReport { Attempt = attempt, Sequence = first, Age = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)) }, sent.Reports[0]);
        Assert.Equal(TimeSpan.FromSeconds(31), sent.Reports[1].Age.ToTimeSpan());
        Assert.Equal(("conv", "acct_2"), (sent.Reports[1].Binding.SessionKey, sent.Reports[1].Binding.AccountId));
    }

    [Fact]
    public void Peek_TakesTheOldestFirst_AndAcknowledgedReportsLeave()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queue = new ReportQueue(10, time);
        var numbers = Enumerable.Range(0, 5).Select(i => queue.Enqueue(new PoolReport { Answer = new AnswerReport { RequestId = $"req_{i}" } }, urgent: false)).ToList();

        var batch = queue.Peek(3);
        Assert.Equal((3, numbers[0]), (batch.Count, batch.FirstSequence));
        Assert.Equal(["req_0", "req_1", "req_2"], ReportOutcomesRequest.Parser.ParseFrom(batch.Encode("e")).Reports.Select(r => r.Answer.RequestId));

        queue.RemoveThrough(numbers[2]);
        Assert.Equal(["req_3", "req_4"], ReportOutcomesRequest.Parser.ParseFrom(queue.Peek(3).Encode("e")).Reports.Select(r => r.Answer.RequestId));
    }
}
