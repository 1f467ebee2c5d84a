using System.Collections.Concurrent;

namespace MultiCodex.Control.OAuth;

/// <summary>Polls the issuer for every pending device sign-in, each at the interval the issuer asked for.</summary>
public sealed partial class DeviceFlowPoller(OAuthFlowStore flows, OAuthFlowManager manager, TimeProvider time, ILogger<DeviceFlowPoller> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextPoll = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await PollDueFlowsAsync(stoppingToken);
        }
    }


    internal async Task PollDueFlowsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Only pending device flows that have not expired are polled: a cancelled, finished or expired one is
        // dropped here and never asked about again.
        var due = flows.All.Where(f => f is { Kind: FlowKind.Device, Status: FlowStatus.Pending } && !f.IsExpiredAt(now)).ToList();
        foreach (var gone in _nextPoll.Keys.Except(due.Select(f => f.Id)))
        {
            _nextPoll.TryRemove(gone, out _);
        }
        foreach (var flow in due)
        {
            if (flows.Find(flow.Id) is not { Status: FlowStatus.Pending })
            {
                continue;
            }
            var next = _nextPoll.GetOrAdd(flow.Id, _ => flow.CreatedAt + flow.PollInterval);
            if (next > now)
            {
                continue;
            }
            _nextPoll[flow.Id] = now + flow.PollInterval;
            try
            {
                await manager.PollDeviceFlowAsync(flow, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                Log.PollFailed(logger, flow.Id, e.GetType().Name);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Polling device sign-in {FlowId} failed ({Error}); will retry")]
        public static partial void PollFailed(ILogger logger, string flowId, string error);
    }
}
