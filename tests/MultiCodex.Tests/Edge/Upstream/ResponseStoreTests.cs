using Microsoft.Extensions.Time.Testing;
using MultiCodex.Edge;
using MultiCodex.Edge.V1.Responses;

namespace MultiCodex.Tests.Edge.Upstream;

/// <summary>The store behind <c>previous_response_id</c>: per client key, bounded in bytes and in age.</summary>
public sealed class ResponseStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AResponse_IsFoundOnlyWithTheKeyThatMadeIt()
    {
        var store = Store(maxBytes: 1 << 20);

        store.Add("key-a", Response("resp_1", 100));

        Assert.NotNull(store.Find("key-a", "resp_1"));
        Assert.Null(store.Find("key-b", "resp_1"));
        Assert.Null(store.Find("key-a", "resp_2"));
    }

    [Fact]
    public void AResponse_ExpiresAtItsMaximumAge()
    {
        var store = Store(maxBytes: 1 << 20, maxAge: TimeSpan.FromHours(1));
        store.Add("k", Response("resp_old", 100));

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(store.Find("k", "resp_old"));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(store.Find("k", "resp_old"));
    }

    [Fact]
    public void OverTheByteLimit_TheOldestGoFirst()
    {
        var store = Store(maxBytes: 8 * 1024);
        var size = ResponseStore.Size("k", Response("resp_0", 600));

        for (var i = 0; i < 20; i++)
        {
            Assert.True(store.Add("k", Response($"resp_{i}", 600)));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var kept = Enumerable.Range(0, 20).Where(i => store.Find("k", $"resp_{i}") is not null).ToList();
        Assert.Equal((int)(8 * 1024 / size), kept.Count);
        Assert.Equal(Enumerable.Range(20 - kept.Count, kept.Count), kept); // the newest ones
    }

    [Fact]
    public void AResponseLargerThanAnEighthOfTheStore_IsNotKept_AndPushesNothingOut()
    {
        var store = Store(maxBytes: 8 * 1024);
        store.Add("k", Response("resp_small", 100));

        Assert.False(store.Add("k", Response("resp_huge", 1100)));

        Assert.Null(store.Find("k", "resp_huge"));
        Assert.NotNull(store.Find("k", "resp_small"));
    }

    [Fact]
    public void AStoreOfZeroBytes_KeepsNothing()
    {
        var store = Store(maxBytes: 0);

        Assert.False(store.Enabled);
        Assert.False(store.Add("k", Response("resp_1", 10)));
        Assert.Null(store.Find("k", "resp_1"));
    }

    private ResponseStore Store(long maxBytes, TimeSpan? maxAge = null) =>
        new(new EdgeOptions { ResponseStoreMaxBytes = maxBytes, ResponseStoreMaxAge = maxAge ?? TimeSpan.FromHours(24) }, _time);

    private StoredResponse Response(string id, int bytes) => new(id, new byte[bytes], "conversation", _time.GetUtcNow());
}
