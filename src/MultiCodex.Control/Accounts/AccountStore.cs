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
        var file = new JsonFile<AccountsDocument>(dataDirectory, "accounts.json", AccountsJsonContext.Default.AccountsDocument, AccountsMigration.Upgrade);
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

    /// <summary>
    /// Adds the sign-in, or renews the account that already holds the same ChatGPT account and user
    /// (<see cref="IsSameSignIn"/>): new tokens, re-auth cleared, the operator's label, priority and the account's
    /// history kept. Tokens older than the stored ones (an earlier auth.json) are not written over newer ones.
    /// </summary>
    public Task<(AccountRecord Account, UpsertOutcome Outcome)> UpsertAsync(AccountRecord candidate) =>
        MutateAsync(accounts =>
        {
            // The exact pair first; the email fallback only where a user id is missing.
            var existing = accounts.FirstOrDefault(a => a.ChatGptUserId is not null
                    && a.ChatGptAccountId == candidate.ChatGptAccountId && a.ChatGptUserId == candidate.ChatGptUserId)
                ?? accounts.FirstOrDefault(a => IsSameSignIn(a, candidate.ChatGptAccountId, candidate.ChatGptUserId, candidate.Email));
            if (existing is null)
            {
                return (accounts.Add(candidate), (candidate, UpsertOutcome.Created));
            }
            if (HoldsNewerTokens(existing, candidate.Tokens))
            {
                return (accounts, (existing, UpsertOutcome.KeptNewerTokens));
            }
            var updated = existing with
            {
                Email = candidate.Email,
                PlanType = candidate.PlanType ?? existing.PlanType,
                ChatGptUserId = candidate.ChatGptUserId ?? existing.ChatGptUserId,
                Tokens = candidate.Tokens,
                ReauthReason = null,
                // A probe that failed for the old tokens says nothing about the new ones.
                Usage = existing.Usage is { ProbeError: not null } usage ? usage with { ProbeError = null } : existing.Usage,
                UpdatedAt = candidate.UpdatedAt,
            };
            return (accounts.Replace(existing, updated), (updated, UpsertOutcome.Updated));
        });

    /// <summary>
    /// True when a sign-in (its ChatGPT account id, user id and email) is the stored account: the same account and
    /// user id (codex-lb keys accounts on this pair; one workspace id is shared by a team). When either user id is
    /// unknown (tokens without an id token), the same account id and email decide.
    /// </summary>
    public static bool IsSameSignIn(AccountRecord account, string chatGptAccountId, string? chatGptUserId, string email) =>
        account.ChatGptAccountId == chatGptAccountId
        && (account.ChatGptUserId is not null && chatGptUserId is not null
            ? account.ChatGptUserId == chatGptUserId
            : email.Length > 0 && string.Equals(account.Email, email, StringComparison.OrdinalIgnoreCase));

    // An account that still works keeps tokens that outlive the given ones; one that needs a new sign-in takes any.
    private static bool HoldsNewerTokens(AccountRecord existing, StoredTokens given) =>
        existing.ReauthReason is null
        && existing.Tokens.AccessTokenExpiresAt is { } stored
        && given.AccessTokenExpiresAt is { } offered
        && offered < stored;

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

/// <summary>What <see cref="AccountStore.UpsertAsync"/> did with a sign-in.</summary>
public enum UpsertOutcome
{
    /// <summary>A new account was added.</summary>
    Created,

    /// <summary>The existing account took the new tokens.</summary>
    Updated,

    /// <summary>The existing account's tokens are newer than the given ones and were kept; nothing changed.</summary>
    KeptNewerTokens,
}
