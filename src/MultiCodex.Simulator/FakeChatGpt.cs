using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator;

/// <summary>A running fake of the ChatGPT backend (<see cref="BackendBaseUrl"/>) and its OAuth issuer
/// (<see cref="IssuerUrl"/>) on one loopback port, plus an optional TLS listener. Dispose to stop it.</summary>
public sealed class FakeChatGpt : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorState _state;
    private readonly TlsMaterial? _tls;

    private FakeChatGpt(WebApplication app, SimulatorState state, TlsMaterial? tls, string baseUrl, string? tlsBaseUrl)
    {
        _app = app;
        _state = state;
        _tls = tls;
        BaseUrl = baseUrl;
        TlsBaseUrl = tlsBaseUrl;
    }

    /// <summary>Plain-HTTP root, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    /// <summary><see cref="BaseUrl"/> + <c>/backend-api</c>: what <c>CHATGPT_BASE_URL</c> should be.</summary>
    public string BackendBaseUrl => BaseUrl + "/backend-api";

    /// <summary>The OAuth issuer root (same as <see cref="BaseUrl"/>): what <c>OAUTH_ISSUER</c> should be.</summary>
    public string IssuerUrl => BaseUrl;

    /// <summary>HTTPS root on 127.0.0.1 when <see cref="FakeChatGptOptions.EnableTls"/> is set, else null.</summary>
    public string? TlsBaseUrl { get; }

    /// <summary><see cref="TlsBaseUrl"/> + <c>/backend-api</c>, or null.</summary>
    public string? TlsBackendBaseUrl => TlsBaseUrl is null ? null : TlsBaseUrl + "/backend-api";

    /// <summary>Path of a PEM file with the throw-away CA that signed the TLS certificate (for <c>CODEX_CA_CERTIFICATE</c>), or null.</summary>
    public string? CaCertificatePath => _tls?.CaCertificatePath;

    /// <summary>The CA certificate as PEM text, or null without TLS.</summary>
    public string? CaCertificatePem => _tls?.CaCertificatePem;

    /// <summary>The options this instance runs with (mutable lists such as <see cref="FakeChatGptOptions.UnsupportedParameters"/> are live).</summary>
    public FakeChatGptOptions Options => _state.Options;

    /// <summary>The clock for token expiry, usage windows and code expiry.</summary>
    public TimeProvider TimeProvider => _state.Options.TimeProvider;

    /// <summary>Every request received, for assertions.</summary>
    public RequestLog Requests => _state.Requests;

    /// <summary>All accounts, in the order they were added.</summary>
    public IReadOnlyList<SimAccount> Accounts => _state.Accounts.All();

    /// <summary>When set to a known email, <c>GET /oauth/authorize</c> approves at once for that account.</summary>
    public string? AutoApproveEmail
    {
        get => _state.AutoApproveEmail;
        set => _state.AutoApproveEmail = value;
    }

    /// <summary>Serve the Responses WebSocket (true) or answer its upgrade 426 (false); starts as
    /// <see cref="FakeChatGptOptions.EnableWebSockets"/>.</summary>
    public bool WebSocketsEnabled
    {
        get => _state.WebSocketsEnabled;
        set => _state.WebSocketsEnabled = value;
    }

    /// <summary>Every client frame received on a Responses WebSocket, with its outcome.</summary>
    public WebSocketLog WebSocketFrames => _state.Sockets.Frames;

    /// <summary>Responses WebSocket connections accepted so far.</summary>
    public int WebSocketConnectionCount => _state.Sockets.Accepted;

    /// <summary>Responses WebSocket connections open now.</summary>
    public int OpenWebSocketCount => _state.Sockets.OpenCount;

    /// <summary>Closes every open Responses WebSocket from the server side (as an idle close between turns would).</summary>
    public Task CloseWebSocketsAsync() => _state.Sockets.CloseAllAsync();

    /// <summary>Completes once a stream waits on the fake's clock (a <see cref="ResponseBehavior.Slow"/> event delay or a
    /// drop's grace), so a test on a <c>FakeTimeProvider</c> knows the timer is armed before it advances the clock.</summary>
    public Task WaitForPausedStreamAsync(CancellationToken cancellationToken = default) => _state.Clock.WaitForPauseAsync(cancellationToken);

    /// <summary>Device-flow user codes created and not yet approved or expired.</summary>
    public IReadOnlyList<string> PendingDeviceUserCodes => _state.Devices.PendingUserCodes();

    /// <summary>Starts a fake on a free loopback port (and a TLS port when enabled).</summary>
    public static async Task<FakeChatGpt> StartAsync(FakeChatGptOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeChatGptOptions();
        var state = new SimulatorState(options);
        var restored = false;
        if (options.StateFile is { } path)
        {
            state.File = new StateFile(state, path);
            restored = state.File.Load();
        }

        var tls = options.EnableTls ? TlsMaterial.Create() : null;
        var app = SimulatorApp.Build(state, tls);
        try
        {
            await app.StartAsync(cancellationToken);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            var http = Loopback(addresses.First(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));
            var https = tls is null ? null : Loopback(addresses.First(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)));
            state.IssuerUrl = http;
            return new FakeChatGpt(app, state, tls, http, https) { RestoredFromStateFile = restored };
        }
        catch
        {
            await app.DisposeAsync();
            tls?.Dispose();
            throw;
        }
    }

    /// <summary>Adds an account. Ids are generated in the real shapes (a UUID workspace id, <c>user-…</c>) unless given.</summary>
    public SimAccount AddAccount(string email, string plan = "plus", string? chatGptAccountId = null, string? userId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        return _state.AddAccount(email, plan, chatGptAccountId, userId);
    }

    /// <summary>The first account with this email (case-insensitive), or null.</summary>
    public SimAccount? FindAccount(string email) => _state.Accounts.FindByEmail(email);

    /// <summary>Approves a pending device-code login (as the person on <c>/codex/device</c> would); false if the code is unknown or expired.</summary>
    public bool ApproveDeviceCode(string userCode, SimAccount account) => _state.Devices.Approve(userCode, account);

    /// <summary>Completes when the host stops (Ctrl+C / SIGTERM in the standalone program).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>True when <see cref="FakeChatGptOptions.StateFile"/> existed at start and was loaded.</summary>
    public bool RestoredFromStateFile { get; private init; }

    /// <summary>Writes the state file now (no-op without <see cref="FakeChatGptOptions.StateFile"/>); usage changes are
    /// not written on their own, so a caller that moves usage (the demo drift) saves after it.</summary>
    public void SaveState() => _state.Persist();

    internal StateFile? StateFile => _state.File;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            _state.Persist();
            await _app.DisposeAsync();
            _tls?.Dispose();
        }
    }

    private static string Loopback(string address)
    {
        var uri = new Uri(address.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"));
        return $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }
}
