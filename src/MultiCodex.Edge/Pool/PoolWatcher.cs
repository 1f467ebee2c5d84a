using Grpc.Core;

namespace MultiCodex.Edge.Pool;

/// <summary>Where the Edge stands with Control: for /readyz and the logs.</summary>
/// <param name="HasView">The Edge has a view to serve from.</param>
/// <param name="Connected">Control's stream is up.</param>
/// <param name="AwaySince">When the stream went down (or the Edge started, before the first view).</param>
public readonly record struct PoolHealth(bool HasView, bool Connected, DateTimeOffset? AwaySince, int Accounts, int QueuedReports);

/// <summary>
/// Follows Control's WatchPool stream into the <see cref="PoolView"/>: the whole view on (re)connect, then every
/// change. While Control is away the Edge keeps serving from the last view; the stream is reopened with capped
/// backoff, and a new full view replaces the old one. At start Control may simply not be up yet (the services
/// start in any order): nothing is logged until it stays away past a grace period.
/// </summary>
internal sealed partial class PoolWatcher(
    PoolView view, ReportQueue reports, PoolControlClient control, EdgeIdentity identity, TimeProvider time, ILogger<PoolWatcher> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CatchUpGap = TimeSpan.FromSeconds(1);

    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private volatile bool _connected;
    private long _awaySinceTicks; // 0: not away (or never connected yet)
    private long _lastCatchUp;

    public PoolHealth Health => new(view.HasView, _connected, AwaySince ?? (view.HasView ? null : _startedAt), view.AccountCount, reports.Count);

    private DateTimeOffset? AwaySince
    {
        get => Interlocked.Read(ref _awaySinceTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _awaySinceTicks, value?.UtcTicks ?? 0);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) for the first view; true once there is one.</summary>
    public async Task<bool> WaitForViewAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = new TimedToken(timeout, time, cancellationToken);
        try
        {
            while (!view.HasView)
            {
                await view.NextChange.WaitAsync(bounded.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not within the time.
        }
        return view.HasView;
    }

    /// <summary>
    /// Makes sure the view holds everything Control had when this was called (an account or a key created a moment
    /// ago): asks Control for its version and waits, bounded, until the stream delivered it. False when Control is
    /// away or the stream did not catch up in time.
    /// </summary>
    public async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        if (!_connected)
        {
            return false;
        }
        try
        {
            var now = await control.GetPoolVersionAsync(cancellationToken);
            using var bounded = new TimedToken(CatchUpWait, time, cancellationToken);
            while (!view.HasReached(now.Epoch, now.Version))
            {
                await view.NextChange.WaitAsync(bounded.Token);
            }
            return true;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary><see cref="SyncAsync"/> at most once a <see cref="CatchUpGap"/>: for the misses of the request path.</summary>
    public Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastCatchUp);
        if ((last != 0 && time.GetElapsedTime(last, now) < CatchUpGap) || Interlocked.CompareExchange(ref _lastCatchUp, now, last) != last)
        {
            return Task.FromResult(false);
        }
        return SyncAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var call = control.Watch(identity.Id, stoppingToken);
                await foreach (var message in call.ResponseStream.ReadAllAsync(stoppingToken))
                {
                    var newControl = view.Apply(message);
                    if (!_connected)
                    {
                        _connected = true;
                        if (AwaySince is { } since)
                        {
                            Log.Reconnected(logger, (time.GetUtcNow() - since).TotalSeconds, newControl);
                        }
                        (AwaySince, failures, warned) = (null, 0, false);
                    }
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                Log.StreamFailed(logger, e.StatusCode);
            }
            var now = time.GetUtcNow();
            if (_connected)
            {
                _connected = false;
                AwaySince = now;
                Log.Lost(logger, view.AccountCount);
            }
            var awaySince = AwaySince ?? _startedAt;
            if (!warned && now - awaySince >= Grace)
            {
                warned = true;
                Log.StillAway(logger, (now - awaySince).TotalSeconds, view.HasView);
            }
            try
            {
                await Task.Delay(Backoff(failures++), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // 200 ms, 400 ms, … up to 5 s, each stretched by up to a fifth so that many Edges do not reconnect in step.
    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks((long)(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(failures, 8)) * (1 + Random.Shared.NextDouble() / 5)));

    private static partial class Log
    {
        [LoggerMessage(2401, LogLevel.Information, "Lost Control's pool stream; serving from the last view ({Accounts} accounts) and reconnecting")]
        public static partial void Lost(ILogger logger, int accounts);

        [LoggerMessage(2402, LogLevel.Information, "Following Control's pool again after {Seconds:F1} s (new Control process: {NewControl})")]
        public static partial void Reconnected(ILogger logger, double seconds, bool newControl);

        [LoggerMessage(2403, LogLevel.Warning, "Control has not answered for {Seconds:F0} s (have a view to serve from: {HasView}); still trying")]
        public static partial void StillAway(ILogger logger, double seconds, bool hasView);

        [LoggerMessage(2404, LogLevel.Debug, "Control's pool stream failed ({Status})")]
        public static partial void StreamFailed(ILogger logger, StatusCode status);
    }
}
