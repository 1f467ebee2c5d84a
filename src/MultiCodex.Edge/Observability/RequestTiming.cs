namespace MultiCodex.Edge.Observability;

/// <summary>When one upstream attempt was sent (a timestamp of the Edge's clock), and how long its response headers took.</summary>
public readonly record struct AttemptTiming(long StartedAt, TimeSpan? TimeToFirstByte);

/// <summary>
/// Where a /v1 request's time went, up to a moment (its response headers, or its end): the figures of the
/// <c>Server-Timing</c> header (<see cref="ServerTiming"/>), the request log line, the timing histograms and the span.
/// The three periods follow one another, so <c>Proxy + Failover + UpstreamTimeToFirstByte ≤ Total</c>.
/// </summary>
/// <param name="Proxy">
/// MultiCodex's own time before the first upstream attempt was sent: reading and translating the body, the key check,
/// choosing an account. The whole time when no attempt was made (an invalid body, no account to try).
/// </param>
/// <param name="Failover">
/// From the first attempt to the last one (the one that answered): attempts that failed, the pause before a retry,
/// a token refresh after a 401. Zero with one attempt.
/// </param>
/// <param name="UpstreamTimeToFirstByte">The last attempt's time from sending to the upstream's response headers; null when none came.</param>
/// <param name="Attempts">Upstream attempts made; 0 when no account was tried.</param>
/// <param name="Total">From the request's arrival to the moment measured.</param>
public readonly record struct RequestTiming(TimeSpan Proxy, TimeSpan Failover, TimeSpan? UpstreamTimeToFirstByte, int Attempts, TimeSpan Total)
{
    /// <summary>The figures at <paramref name="now"/> of a request that arrived at <paramref name="arrivedAt"/>.</summary>
    /// <param name="first">The first attempt; null when none was made.</param>
    /// <param name="last">The last attempt (the same as <paramref name="first"/> when there was one).</param>
    public static RequestTiming Measure(TimeProvider time, long arrivedAt, long now, int attempts, AttemptTiming? first, AttemptTiming? last)
    {
        var total = NotNegative(time.GetElapsedTime(arrivedAt, now));
        if (attempts == 0 || first is not { } opened || last is not { } answered)
        {
            return new RequestTiming(total, TimeSpan.Zero, null, 0, total);
        }
        return new RequestTiming(NotNegative(time.GetElapsedTime(arrivedAt, opened.StartedAt)), NotNegative(time.GetElapsedTime(opened.StartedAt, answered.StartedAt)),
            answered.TimeToFirstByte, attempts, total);
    }

    private static TimeSpan NotNegative(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
