using System.Security.Cryptography;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.OAuth;

/// <summary>Sign-in flows, kept in oauth-state.json so that a restart between start and complete loses nothing.</summary>
public sealed class OAuthFlowStore
{
    /// <summary>Finished and expired flows stay this long for status queries, then are dropped.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private readonly PersistentState<OAuthStateDocument> _state;
    private readonly TimeProvider _time;

    public OAuthFlowStore(DataDirectory dataDirectory, TimeProvider time)
    {
        var file = new JsonFile<OAuthStateDocument>(dataDirectory, "oauth-state.json", OAuthStateJsonContext.Default.OAuthStateDocument);
        var document = file.Load() ?? new OAuthStateDocument();
        if (document.SchemaVersion > OAuthStateDocument.CurrentSchemaVersion)
        {
            throw new InvalidDataException($"{file.Path} has schema version {document.SchemaVersion}, newer than this build understands.");
        }
        _state = new PersistentState<OAuthStateDocument>(file, document, time);
        _state.Changed += _ => Changed?.Invoke();
        _time = time;
    }

    /// <summary>Raised after a change is on disk; listeners must not block.</summary>
    public event Action? Changed;

    public IReadOnlyList<OAuthFlowRecord> All => _state.Current.Flows;

    public OAuthFlowRecord? Find(string id) => All.FirstOrDefault(f => f.Id == id);

    public OAuthFlowRecord? FindByState(string state) =>
        All.FirstOrDefault(f => f.State is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(f.State), System.Text.Encoding.UTF8.GetBytes(state)));

    public Task AddAsync(OAuthFlowRecord flow) =>
        _state.MutateAsync(document => (document with { Flows = Pruned(document).Add(flow) }, true));

    /// <summary>Applies <paramref name="change"/> to one flow; returns null when the id is unknown.</summary>
    public Task<OAuthFlowRecord?> UpdateAsync(string id, Func<OAuthFlowRecord, OAuthFlowRecord> change) =>
        _state.MutateAsync(document =>
        {
            var existing = document.Flows.FirstOrDefault(f => f.Id == id);
            if (existing is null)
            {
                return (document, (OAuthFlowRecord?)null);
            }
            var updated = change(existing);
            return (document with { Flows = document.Flows.Replace(existing, updated) }, updated);
        });

    public static string NewId() => "flow_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private System.Collections.Immutable.ImmutableList<OAuthFlowRecord> Pruned(OAuthStateDocument document)
    {
        var cutoff = _time.GetUtcNow() - Retention;
        return document.Flows.RemoveAll(f => f.ExpiresAt < cutoff);
    }
}
