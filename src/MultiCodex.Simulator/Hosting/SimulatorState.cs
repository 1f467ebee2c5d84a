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
