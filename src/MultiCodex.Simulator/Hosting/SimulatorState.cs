using System.Collections.Concurrent;
using System.Security.Cryptography;
using MultiCodex.Simulator.Accounts;
using MultiCodex.Simulator.Backend;
using MultiCodex.Simulator.OAuth;
using MultiCodex.Simulator.WebSocket;

namespace MultiCodex.Simulator.Hosting;

/// <summary>Everything one fake instance knows; a DI singleton shared by all endpoints.</summary>
internal sealed class SimulatorState
{
    public SimulatorState(FakeChatGptOptions options)
    {
        Options = options;
        AutoApproveEmail = options.AutoApproveEmail;
        Accounts = new AccountRegistry();
        Tokens = new TokenStore(this);
        Codes = new AuthorizationCodeStore(this);
        Devices = new DeviceAuthStore(this);
        Requests = new RequestLog();
        Clock = new StreamClock(options.TimeProvider);
        Compactions = new CompactionSeal(RandomNumberGenerator.GetBytes(32));
        Sockets = new SocketRegistry();
        WebSocketsEnabled = options.EnableWebSockets;
    }

    public FakeChatGptOptions Options { get; }

    public DateTimeOffset Now => Options.TimeProvider.GetUtcNow();

    public AccountRegistry Accounts { get; }

    public TokenStore Tokens { get; }

    public AuthorizationCodeStore Codes { get; }

    public DeviceAuthStore Devices { get; }

    public RequestLog Requests { get; }

    /// <summary>Pauses inside streams, on the fake's clock.</summary>
    public StreamClock Clock { get; }

    /// <summary>Signs and checks compaction items. Replaced by a restored demo state so old items stay valid.</summary>
    public CompactionSeal Compactions { get; set; }

    /// <summary>Open WebSocket connections and the frames they carried.</summary>
    public SocketRegistry Sockets { get; }

    /// <summary>The state file when <see cref="FakeChatGptOptions.StateFile"/> is set, else null.</summary>
    public StateFile? File { get; set; }

    /// <summary>Writes the state file (when there is one) after a change to tokens or accounts.</summary>
    public void Persist() => File?.Save();

    /// <summary>Adds an account. Ids are generated in the real shapes (a UUID workspace id, <c>user-…</c>) unless given.</summary>
    public SimAccount AddAccount(string email, string plan, string? chatGptAccountId = null, string? userId = null)
    {
        var account = new SimAccount(this, email.Trim(), plan, chatGptAccountId ?? Ids.Uuid(), userId ?? "user-" + Ids.Random(24));
        Accounts.Add(account);
        Persist();
        return account;
    }

    /// <summary>The account for a sign-in email: a known one, or (with <see cref="FakeChatGptOptions.CreateAccountsOnSignIn"/>) a new one.</summary>
    public SimAccount? SignInAccount(string? email) =>
        Accounts.FindByEmail(email) ?? (Options.CreateAccountsOnSignIn && IsEmail(email) ? AddAccount(email!, "plus") : null);

    private static bool IsEmail(string? email) =>
        email is { Length: > 2 and <= 254 } && email.Trim().IndexOf('@') is > 0 and var at && at < email.Trim().Length - 1 && !email.Any(char.IsWhiteSpace);

    /// <summary>Changeable at run time (<see cref="FakeChatGpt.WebSocketsEnabled"/>).</summary>
    public bool WebSocketsEnabled { get; set; }

    /// <summary>(account, prompt_cache_key) pairs already seen, so a repeat reports cached input tokens.</summary>
    public ConcurrentDictionary<string, byte> SeenPromptCacheKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Changeable at run time (<see cref="FakeChatGpt.AutoApproveEmail"/>).</summary>
    public string? AutoApproveEmail { get; set; }

    /// <summary>Plain-HTTP base URL, known once Kestrel has bound its port.</summary>
    public string IssuerUrl { get; set; } = "";

    /// <summary>The redirect URI the device flow's code is bound to (real: <c>https://auth.openai.com/deviceauth/callback</c>).</summary>
    public string DeviceRedirectUri => IssuerUrl + "/deviceauth/callback";
}
