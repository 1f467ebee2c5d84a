using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;
using MultiCodex.Pool.ClientKeys;
using V1 = MultiCodex.Control.V1;

namespace MultiCodex.Control.Pool;

/// <summary>
/// One Edge's stream of the pool: the whole view first, then, after each change, what changed since the last
/// message (changes that come in a burst go out as one message). Accounts are compared by reference: a stored
/// record is immutable, so an unchanged account is the same object.
/// </summary>
public sealed class PoolWatch : IDisposable
{
    private readonly PoolFeed _feed;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, SessionBindingRecord> _bindings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _keyUsage = new(StringComparer.Ordinal);
    private readonly string _edgeId;
    private Dictionary<string, AccountRecord> _sent = new(StringComparer.Ordinal);
    private ulong _countedThrough;
    private int _keysChanged;

    internal PoolWatch(PoolFeed feed, string edgeId)
    {
        _feed = feed;
        _edgeId = edgeId;
    }

    /// <summary>The whole view as it is now.</summary>
    public V1.WatchPoolResponse Full()
    {
        _bindings.Clear();
        _keyUsage.Clear();
        Interlocked.Exchange(ref _keysChanged, 0);
        var message = Begin(replace: true);
        _sent = new Dictionary<string, AccountRecord>(StringComparer.Ordinal);
        foreach (var account in _feed.Accounts.All)
        {
            _sent[account.Id] = account;
            message.Accounts.Add(PoolMapper.ToProto(account));
        }
        foreach (var binding in _feed.Sessions.Live())
        {
            message.SessionBindings.Add(PoolMapper.ToProto(binding));
        }
        message.ApiKeyDigests = Digests();
        AddKeyUsage(message, all: true);
        message.Settings = new V1.PoolSettings
        {
            BlockFallback = Duration.FromTimeSpan(_feed.Options.FallbackCooldown),
            StickyIdle = Duration.FromTimeSpan(_feed.Options.StickyIdle),
        };
        return message;
    }

    /// <summary>Waits until something changed; false when <paramref name="cancellationToken"/> ends the watch.</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (!await _signal.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }
        _signal.Reader.TryRead(out _);
        return true;
    }

    /// <summary>What changed since the last message (possibly nothing but the version).</summary>
    public V1.WatchPoolResponse Changes()
    {
        var message = Begin(replace: false);
        var current = _feed.Accounts.All;
        var next = new Dictionary<string, AccountRecord>(current.Count, StringComparer.Ordinal);
        foreach (var account in current)
        {
            next[account.Id] = account;
            if (!_sent.TryGetValue(account.Id, out var sent) || !ReferenceEquals(sent, account))
            {
                message.Accounts.Add(PoolMapper.ToProto(account));
            }
        }
        foreach (var id in _sent.Keys)
        {
            if (!next.ContainsKey(id))
            {
                message.RemovedAccountIds.Add(id);
            }
        }
        _sent = next;
        foreach (var key in _bindings.Keys)
        {
            if (_bindings.TryRemove(key, out var binding))
            {
                message.SessionBindings.Add(PoolMapper.ToProto(binding));
            }
        }
        var keysChanged = Interlocked.Exchange(ref _keysChanged, 0) == 1;
        if (keysChanged)
        {
            message.ApiKeyDigests = Digests();
        }
        // A key that just got budgets needs its counts wherever they stand: on a change of keys every key's go out.
        AddKeyUsage(message, all: keysChanged);
        return message;
    }

    public void Dispose() => _feed.Remove(this);

    internal void AddBinding(SessionBindingRecord binding) => _bindings[binding.SessionKey] = binding;

    internal void KeysChanged() => Interlocked.Exchange(ref _keysChanged, 1);

    internal void KeyUsageChanged(IReadOnlyCollection<string> keyIds)
    {
        foreach (var id in keyIds)
        {
            _keyUsage[id] = true;
        }
    }

    internal void Signal() => _signal.Writer.TryWrite(true);

    // The version is read before the state: the message then holds at least everything up to that version.
    private V1.WatchPoolResponse Begin(bool replace) => new() { Epoch = _feed.Epoch, Version = _feed.Version, Replace = replace };

    private V1.ApiKeyDigestList Digests()
    {
        var list = new V1.ApiKeyDigestList();
        list.Digests.AddRange(_feed.Keys.All.Select(k => new V1.ApiKeyDigest { Name = k.Name, Sha256 = k.Sha256, Id = k.Id, Limits = ApiKeyMapper.ToProto(k.Limits) }));
        return list;
    }

    /// <summary>
    /// The budget counts of the keys that have budgets (the Edges need none for the others): those that changed, or
    /// every one when <paramref name="all"/> or when this Edge's own reports are counted further than it was told —
    /// then it stops counting them itself, so it must get the counts that hold them, all in one snapshot.
    /// </summary>
    private void AddKeyUsage(V1.WatchPoolResponse message, bool all)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in _keyUsage.Keys)
        {
            if (_keyUsage.TryRemove(id, out _))
            {
                changed.Add(id);
            }
        }
        var (through, counts) = _feed.Budgets.Snapshot(_edgeId);
        all |= through != _countedThrough;
        if (!all && changed.Count == 0)
        {
            return;
        }
        foreach (var key in _feed.Keys.All)
        {
            if (key.Limits.HasBudgets && (all || changed.Contains(key.Id)))
            {
                message.KeyUsage.Add(ApiKeyMapper.ToProto(key.Id, counts.GetValueOrDefault(key.Id) ?? KeyUsageCounts.Zero));
            }
        }
        message.KeyCountsThrough = _countedThrough = through;
    }
}
