using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.ApiKeys;

namespace MultiCodex.Control.Pool;

/// <summary>
/// The pool as the Edges see it: the accounts, the session bindings, the client keys (hashes, limits, budget counts), with a version that
/// rises after every change (an Edge compares versions to know its view reflects something), and the watchers that
/// follow it. A version belongs to this process (its <see cref="Epoch"/>): after a restart the count starts over.
/// </summary>
public sealed class PoolFeed
{
    private readonly List<PoolWatch> _watchers = [];
    private readonly Lock _gate = new();
    private long _version;

    public PoolFeed(AccountStore accounts, SessionAffinity sessions, ApiKeyStore keys, KeyBudgetCounters budgets, IOptions<PoolOptions> options)
    {
        Accounts = accounts;
        Sessions = sessions;
        Keys = keys;
        Budgets = budgets;
        Options = options.Value;
        // Each event fires after its change is visible, so a version read before the state never claims too much.
        accounts.Changed += _ => Advance(w => { });
        sessions.Changed += binding => Advance(w => w.AddBinding(binding));
        keys.Changed += () => Advance(w => w.KeysChanged());
        budgets.Changed += ids => Advance(w => w.KeyUsageChanged(ids));
    }

    /// <summary>This process's identity: versions of different processes are not comparable.</summary>
    public string Epoch { get; } = "ctl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The version now; every change raises it.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int WatcherCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    internal AccountStore Accounts { get; }
    internal SessionAffinity Sessions { get; }
    internal ApiKeyStore Keys { get; }
    internal KeyBudgetCounters Budgets { get; }
    internal PoolOptions Options { get; }

    /// <summary>Starts following the pool for the Edge <paramref name="edgeId"/>: the watcher's first message is the whole view.</summary>
    public PoolWatch Watch(string edgeId = "")
    {
        var watch = new PoolWatch(this, edgeId);
        lock (_gate)
        {
            _watchers.Add(watch);
        }
        return watch;
    }

    internal void Remove(PoolWatch watch)
    {
        lock (_gate)
        {
            _watchers.Remove(watch);
        }
    }

    private void Advance(Action<PoolWatch> note)
    {
        lock (_gate)
        {
            // Noted before the version rises: a watcher that reads the new version finds the change waiting.
            foreach (var watcher in _watchers)
            {
                note(watcher);
            }
            Interlocked.Increment(ref _version);
            foreach (var watcher in _watchers)
            {
                watcher.Signal();
            }
        }
    }
}
