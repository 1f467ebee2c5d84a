using System.Collections.Immutable;
using System.Security.Cryptography;
using MultiCodex.Control.Infrastructure.Storage;

namespace MultiCodex.Control.Accounts;

/// <summary>
/// The only owner of account state. Reads are lock-free snapshots; every change is written to accounts.json
/// (atomically) before it becomes visible or is acknowledged, so nothing acknowledged is ever lost.
/// </summary>
public sealed class AccountStore
{
    private readonly PersistentState<AccountsDocument> _state;

    public AccountStore(DataDirectory dataDirectory, TimeProvider time)
    {
        var file = new JsonFile<AccountsDocument>(dataDirectory, "accounts.json", AccountsJsonContext.Default.AccountsDocument);
        var document = file.Load() ?? new AccountsDocument();
        if (document.SchemaVersion > AccountsDocument.CurrentSchemaVersion)
        {
            throw new InvalidDataException(
                $"{file.Path} has schema version {document.SchemaVersion}, newer than this build understands ({AccountsDocument.CurrentSchemaVersion}).");
        }
        _state = new PersistentState<AccountsDocument>(file, document, time);
        _state.Changed += document => Changed?.Invoke(document.Accounts);
    }

    /// <summary>Raised after a change is on disk, with the accounts as they are now; listeners must not block.</summary>
    public event Action<IReadOnlyList<AccountRecord>>? Changed;

    /// <summary>All accounts, in the order they were added.</summary>
    public IReadOnlyList<AccountRecord> All => _state.Current.Accounts;

    public AccountRecord? Find(string id) => All.FirstOrDefault(a => a.Id == id);

    /// <summary>Adds the sign-in, or updates the account that already holds the same ChatGPT account and user.</summary>
    public Task<(AccountRecord Account, bool Created)> UpsertAsync(AccountRecord candidate) =>
        MutateAsync(accounts =>
        {
            var existing = accounts.FirstOrDefault(a =>
                a.ChatGptAccountId == candidate.ChatGptAccountId && a.ChatGptUserId == candidate.ChatGptUserId);
            if (existing is null)
            {
                return (accounts.Add(candidate), (candidate, true));
            }
            // A new sign-in replaces the tokens and identity, clears re-auth, and keeps the operator's settings.
            var updated = existing with
            {
                Email = candidate.Email,
                PlanType = candidate.PlanType ?? existing.PlanType,
                Tokens = candidate.Tokens,
                ReauthReason = null,
                UpdatedAt = candidate.UpdatedAt,
            };
            return (accounts.Replace(existing, updated), (updated, false));
        });

    /// <summary>
    /// Applies <paramref name="change"/> to one account; returns null when the id is unknown. With
    /// <paramref name="deferSave"/> the change is visible at once and written shortly after: only for data the
    /// upstream would give again (live usage), never for tokens, blocks or operator settings.
    /// </summary>
    public Task<AccountRecord?> UpdateAsync(string id, Func<AccountRecord, AccountRecord> change, bool deferSave = false) =>
        MutateAsync(accounts =>
        {
            var existing = accounts.FirstOrDefault(a => a.Id == id);
            if (existing is null)
            {
                return (accounts, (AccountRecord?)null);
            }
            var updated = change(existing);
            return ReferenceEquals(updated, existing) ? (accounts, existing) : (accounts.Replace(existing, updated), updated);
        }, deferSave);

    /// <summary>Applies <paramref name="change"/> to every account at once (for example, ending expired blocks).</summary>
    public Task UpdateAllAsync(Func<AccountRecord, AccountRecord> change, bool deferSave = false) =>
        MutateAsync(accounts =>
        {
            var next = accounts.ConvertAll(change);
            return (next.SequenceEqual(accounts, ReferenceEqualityComparer.Instance) ? accounts : next, true);
        }, deferSave);

    /// <summary>
    /// Picks an account with <paramref name="choose"/> and marks it used at <paramref name="usedAt"/>, atomically, so
    /// that concurrent callers see each other's picks (least-recently-used spreads them). The mark is deferred to disk.
    /// </summary>
    public Task<T?> ChooseAsync<T>(Func<IReadOnlyList<AccountRecord>, T?> choose, Func<T, AccountRecord> accountOf, DateTimeOffset usedAt)
        where T : class =>
        MutateAsync(accounts =>
        {
            var choice = choose(accounts);
            if (choice is null)
            {
                return (accounts, (T?)null);
            }
            var chosen = accountOf(choice);
            // Strictly after every earlier pick, so two picks within one clock tick still order least-recently-used.
            var latest = accounts.Max(a => a.LastUsedAt) ?? DateTimeOffset.MinValue;
            var mark = usedAt > latest ? usedAt : latest.AddTicks(1);
            return (accounts.Replace(chosen, chosen with { LastUsedAt = mark }), choice);
        }, deferSave: true);

    /// <summary>Writes deferred changes now (on shutdown).</summary>
    public Task FlushAsync() => _state.FlushAsync();

    /// <summary>Removes an account; returns false when the id is unknown.</summary>
    public Task<bool> DeleteAsync(string id) =>
        MutateAsync(accounts =>
        {
            var existing = accounts.FirstOrDefault(a => a.Id == id);
            return existing is null ? (accounts, false) : (accounts.Remove(existing), true);
        });

    public static string NewId() => "acc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private Task<TResult> MutateAsync<TResult>(
        Func<ImmutableList<AccountRecord>, (ImmutableList<AccountRecord> Next, TResult Result)> change, bool deferSave = false) =>
        _state.MutateAsync(document =>
        {
            var accounts = document.Accounts;
            var (next, result) = change(accounts);
            return (ReferenceEquals(next, accounts) ? document : document with { Accounts = next }, result);
        }, deferSave);
}
