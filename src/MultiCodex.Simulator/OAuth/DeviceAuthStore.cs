using System.Security.Cryptography;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator.OAuth;

/// <summary>Pending device-code logins (codex `codex-rs/login/src/device_code_auth.rs`): created by a client, approved by a test or the
/// <c>/codex/device</c> page, then polled into an authorization code with a server-made PKCE pair.</summary>
internal sealed class DeviceAuthStore(SimulatorState state)
{
    private const string UserCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly Lock _gate = new();
    private readonly List<DeviceAuthorization> _flows = [];

    public DeviceAuthorization Create()
    {
        var flow = new DeviceAuthorization(
            "deviceauth_" + Ids.Random(24),
            RandomNumberGenerator.GetString(UserCodeAlphabet, 4) + "-" + RandomNumberGenerator.GetString(UserCodeAlphabet, 5),
            state.Now.Add(state.Options.DeviceCodeLifetime));
        lock (_gate)
        {
            _flows.Add(flow);
        }

        return flow;
    }

    public IReadOnlyList<string> PendingUserCodes()
    {
        lock (_gate)
        {
            var now = state.Now;
            return _flows.Where(f => f.Approval is null && f.ExpiresAt > now).Select(f => f.UserCode).ToList();
        }
    }

    /// <summary>Approves the flow with <paramref name="userCode"/> (case-insensitive, dash optional) for <paramref name="account"/>.</summary>
    public bool Approve(string userCode, SimAccount account)
    {
        var wanted = Normalize(userCode);
        lock (_gate)
        {
            var flow = _flows.FirstOrDefault(f => Normalize(f.UserCode) == wanted && f.ExpiresAt > state.Now && f.Approval is null);
            if (flow is null)
            {
                return false;
            }

            var verifier = Ids.Base64Url(64);
            var challenge = Ids.S256(verifier);
            var code = state.Codes.Issue(account, state.Options.ClientId, state.DeviceRedirectUri, challenge);
            flow.Approval = new DeviceApproval(account, code, challenge, verifier);
            return true;
        }
    }

    public DeviceAuthorization? Find(string deviceAuthId)
    {
        lock (_gate)
        {
            return _flows.FirstOrDefault(f => f.DeviceAuthId == deviceAuthId);
        }
    }

    private static string Normalize(string code) => code.Replace("-", "").Trim().ToUpperInvariant();
}

/// <summary>One device-code login; <see cref="Approval"/> is set once, atomically.</summary>
internal sealed class DeviceAuthorization(string deviceAuthId, string userCode, DateTimeOffset expiresAt)
{
    public string DeviceAuthId { get; } = deviceAuthId;

    public string UserCode { get; } = userCode;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public DeviceApproval? Approval { get; set; }
}

/// <summary>What the poller receives once the user approved: the code and the server-made PKCE pair.</summary>
internal sealed record DeviceApproval(SimAccount Account, string AuthorizationCode, string CodeChallenge, string CodeVerifier);
