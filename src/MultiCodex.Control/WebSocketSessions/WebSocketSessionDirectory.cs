using System.Collections.Concurrent;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.WebSocketSessions;

/// <summary>One client WebSocket as Control last heard of it.</summary>
/// <param name="Id">The Edge's opaque id of the socket.</param>
/// <param name="EdgeId">The Edge instance that serves it.</param>
/// <param name="AccountId">The account its requests go to; empty before the first request.</param>
/// <param name="KeyName">The client key's name; empty while /v1 is open.</param>
/// <param name="OpenedAt">When it was opened, on Control's clock.</param>
/// <param name="Responses">Responses answered on it.</param>
/// <param name="UpstreamTransport"><c>websocket</c> or <c>http</c>.</param>
public sealed record OpenWebSocket(string Id, string EdgeId, string AccountId, string KeyName, DateTimeOffset OpenedAt, int Responses, string UpstreamTransport);

/// <summary>
/// The client WebSockets open on each Edge, in memory: the latest set each Edge reported replaces the one before. An
/// Edge's set is forgotten when it was not renewed for <see cref="ForgetAfter"/> (the Edge renews a non-empty set every
/// few seconds, so one that stopped reporting has died or lost Control) or when the Edge's last pool watch ends (it
/// stopped, or lost its connection: its sockets are no longer known to be open).
/// </summary>
public sealed class WebSocketSessionDirectory(TimeProvider time)
{
    /// <summary>How long a reported set counts without being renewed.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, EdgeSessions> _edges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _watches = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Takes an Edge's set, recorded at <paramref name="recordedAt"/>; an older set than the one held is ignored.</summary>
    public void Apply(string edgeId, V1.WebSocketSessionsReport report, DateTimeOffset recordedAt)
    {
        var sessions = report.Sessions
            .Select(s => new OpenWebSocket(s.SessionId, edgeId, s.AccountId, s.ClientName, recordedAt - (s.OpenFor?.ToTimeSpan() ?? TimeSpan.Zero),
                s.Responses, s.UpstreamTransport))
            .ToArray();
        lock (_gate)
        {
            if (!_edges.TryGetValue(edgeId, out var held) || held.RecordedAt <= recordedAt)
            {
                _edges[edgeId] = new EdgeSessions(recordedAt, sessions);
            }
        }
    }

    /// <summary>An Edge began following the pool.</summary>
    public void WatchStarted(string edgeId)
    {
        lock (_gate)
        {
            _watches[edgeId] = _watches.GetValueOrDefault(edgeId) + 1;
        }
    }

    /// <summary>An Edge's pool watch ended; with its last one, its sockets are forgotten.</summary>
    public void WatchEnded(string edgeId)
    {
        lock (_gate)
        {
            var left = _watches.GetValueOrDefault(edgeId) - 1;
            if (left > 0)
            {
                _watches[edgeId] = left;
                return;
            }
            _watches.TryRemove(edgeId, out _);
            _edges.TryRemove(edgeId, out _);
        }
    }

    /// <summary>Every Edge's open sockets as last reported, oldest first; sets not renewed in time are dropped.</summary>
    public IReadOnlyList<OpenWebSocket> List()
    {
        var now = time.GetUtcNow();
        var open = new List<OpenWebSocket>();
        lock (_gate)
        {
            foreach (var (edgeId, edge) in _edges)
            {
                if (edge.RecordedAt + ForgetAfter < now)
                {
                    _edges.TryRemove(edgeId, out _);
                    continue;
                }
                open.AddRange(edge.Sessions);
            }
        }
        return [.. open.OrderBy(s => s.OpenedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    private sealed record EdgeSessions(DateTimeOffset RecordedAt, IReadOnlyList<OpenWebSocket> Sessions);
}
