using System.Text.Json;
using MultiCodex.Simulator.Backend;

namespace MultiCodex.Simulator.Hosting;

/// <summary>The fake's own state on disk (<see cref="FakeChatGptOptions.StateFile"/>): accounts with their windows,
/// every token and revoked grant, and the compaction key, so a restarted fake (the demo in <c>data/demo</c>) comes
/// back with the same accounts and the tokens MultiCodex stored still valid. Written atomically (a temp file in the
/// same folder, flushed, then renamed over the old one) after every change to tokens or accounts.</summary>
internal sealed class StateFile(SimulatorState state, string path)
{
    private const int SchemaVersion = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Lock _write = new();

    public string Path { get; } = path;

    /// <summary>Extra demo bookkeeping kept with the state (e.g. when the hot account's fast drift stops).</summary>
    public DateTimeOffset? DemoFastDriftUntil { get; set; }

    /// <summary>Loads the file into the (empty) state; false when there is no file yet.</summary>
    public bool Load()
    {
        if (!File.Exists(Path))
        {
            return false;
        }

        var saved = JsonSerializer.Deserialize<SavedState>(File.ReadAllText(Path), Json)
            ?? throw new InvalidDataException($"{Path} is empty.");
        if (saved.Version != SchemaVersion)
        {
            throw new InvalidDataException($"{Path} has schema version {saved.Version}; this simulator reads {SchemaVersion}.");
        }

        state.Compactions = new CompactionSeal(Convert.FromBase64String(saved.CompactionKey));
        foreach (var account in saved.Accounts)
        {
            var restored = new SimAccount(state, account.Email, account.Plan, account.AccountId, account.UserId, account.OrganizationId);
            restored.Restore(account);
            state.Accounts.Add(restored);
        }

        state.Tokens.Restore(saved, state.Accounts.All());
        DemoFastDriftUntil = saved.DemoFastDriftUntil;
        return true;
    }

    public void Save()
    {
        lock (_write)
        {
            var accounts = state.Accounts.All();
            var (access, refresh, revoked) = state.Tokens.Save(accounts);
            var saved = new SavedState(SchemaVersion, Convert.ToBase64String(state.Compactions.Key), [.. accounts.Select(a => a.Save())], access, refresh, revoked, DemoFastDriftUntil);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            var temp = Path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, saved, Json);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temp, Path, overwrite: true);
        }
    }
}

internal sealed record SavedState(
    int Version,
    string CompactionKey,
    List<SavedAccount> Accounts,
    List<SavedAccess> Access,
    List<SavedRefresh> Refresh,
    List<string> Revoked,
    DateTimeOffset? DemoFastDriftUntil);

internal sealed record SavedAccount(
    string Email,
    string Plan,
    string AccountId,
    string UserId,
    string OrganizationId,
    bool WeeklyOnly,
    double FiveHourUsed,
    DateTimeOffset FiveHourResetAt,
    double WeeklyUsed,
    DateTimeOffset WeeklyResetAt);

internal sealed record SavedAccess(string Token, int Account, string GrantId, DateTimeOffset ExpiresAt, bool ForcedExpired);

internal sealed record SavedRefresh(string Token, int Account, string GrantId, string? Error);
