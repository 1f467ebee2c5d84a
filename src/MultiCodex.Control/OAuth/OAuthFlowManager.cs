using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using MultiCodex.Control.Accounts;
using MultiCodex.Control.Upstream;

namespace MultiCodex.Control.OAuth;

/// <summary>Why a sign-in step was refused; the message is fit for the operator and holds no secret.</summary>
public sealed class SignInException(SignInError kind, string message) : Exception(message)
{
    public SignInError Kind { get; } = kind;
}

public enum SignInError { NotFound, InvalidInput, Rejected }

/// <summary>
/// Runs the Codex CLI's "Sign in with ChatGPT" flows (docs/chatgpt-sign-in.md §2–§3): browser sign-in
/// completed from the pasted redirect URL, and device-code sign-in completed by <see cref="DeviceFlowPoller"/>.
/// </summary>
public sealed partial class OAuthFlowManager(
    OAuthFlowStore flows,
    OAuthTokenClient issuer,
    AccountSignIns signIns,
    IOptions<UpstreamOptions> options,
    TimeProvider time,
    ILogger<OAuthFlowManager> logger)
{
    private readonly UpstreamOptions _options = options.Value;

    // Completions are rare and each burns a single-use code: one at a time keeps a double paste from racing.
    private readonly SemaphoreSlim _completionGate = new(1, 1);

    public async Task<OAuthFlowRecord> StartBrowserFlowAsync(string? email, string? renewAccountId = null)
    {
        var verifier = Pkce.NewVerifier();
        var state = Pkce.NewState();
        var redirectUri = _options.OAuthRedirectUri.ToString();
        var now = time.GetUtcNow();
        var flow = new OAuthFlowRecord
        {
            Id = OAuthFlowStore.NewId(),
            Kind = FlowKind.Browser,
            Email = NullIfBlank(email),
            RenewAccountId = NullIfBlank(renewAccountId),
            State = state,
            CodeVerifier = verifier,
            RedirectUri = redirectUri,
            AuthorizeUrl = AuthorizeUrl(redirectUri, Pkce.ChallengeOf(verifier), state),
            CreatedAt = now,
            ExpiresAt = now + _options.OAuthFlowLifetime,
        };
        await flows.AddAsync(flow);
        Log.FlowStarted(logger, flow.Id, flow.Kind);
        return flow;
    }

    /// <summary>Completes a browser sign-in from the URL the browser was sent back to.</summary>
    public async Task<(OAuthFlowRecord Flow, AccountRecord Account)> CompleteBrowserFlowAsync(string? flowId, string redirectUrl, CancellationToken cancellationToken)
    {
        var query = ParseRedirect(redirectUrl);
        var state = query.GetValueOrDefault("state");
        await _completionGate.WaitAsync(cancellationToken);
        try
        {
            var flow = NullIfBlank(flowId) is { } id
                ? flows.Find(id) ?? throw new SignInException(SignInError.NotFound, $"No sign-in flow has id '{id}'.")
                : state is not null
                    ? flows.FindByState(state) ?? throw new SignInException(SignInError.InvalidInput,
                        "No sign-in in progress matches this URL's state; start the sign-in again.")
                    : throw new SignInException(SignInError.InvalidInput, "The URL has no state parameter; paste the full URL the browser was redirected to.");

            EnsurePending(flow);
            if (flow.Kind != FlowKind.Browser || flow.State is null || state is null
                || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(state), System.Text.Encoding.UTF8.GetBytes(flow.State)))
            {
                throw new SignInException(SignInError.InvalidInput, "State mismatch: this URL belongs to a different sign-in. Paste the URL of this sign-in, or start again.");
            }
            if (query.GetValueOrDefault("error") is { } error)
            {
                var reason = DescribeIssuerError(error, query.GetValueOrDefault("error_description"));
                await FailAsync(flow, reason);
                throw new SignInException(SignInError.Rejected, reason);
            }
            var code = query.GetValueOrDefault("code")
                ?? throw new SignInException(SignInError.InvalidInput, "The URL has no code parameter; paste the full URL the browser was redirected to.");

            var grant = await issuer.ExchangeCodeAsync(code, flow.RedirectUri, flow.CodeVerifier!, cancellationToken);
            return await FinishAsync(flow, grant);
        }
        finally
        {
            _completionGate.Release();
        }
    }

    public async Task<OAuthFlowRecord> StartDeviceFlowAsync(string? email, string? renewAccountId, CancellationToken cancellationToken)
    {
        var (code, error) = await issuer.RequestDeviceCodeAsync(cancellationToken);
        if (code is null)
        {
            throw new SignInException(SignInError.Rejected, error!);
        }
        var now = time.GetUtcNow();
        var flow = new OAuthFlowRecord
        {
            Id = OAuthFlowStore.NewId(),
            Kind = FlowKind.Device,
            Email = NullIfBlank(email),
            RenewAccountId = NullIfBlank(renewAccountId),
            RedirectUri = issuer.DeviceRedirectUri,
            DeviceAuthId = code.DeviceAuthId,
            UserCode = code.UserCode,
            VerificationUrl = issuer.DeviceVerificationUrl,
            PollInterval = code.Interval,
            CreatedAt = now,
            // The issuer's device codes live 15 minutes (docs/chatgpt-sign-in.md §3) unless it says otherwise.
            ExpiresAt = now + (code.ExpiresIn ?? TimeSpan.FromMinutes(15)),
        };
        await flows.AddAsync(flow);
        Log.FlowStarted(logger, flow.Id, flow.Kind);
        return flow;
    }

    /// <summary>Polls the issuer once for a pending device flow; completes or fails it when the issuer decides.</summary>
    public async Task PollDeviceFlowAsync(OAuthFlowRecord flow, CancellationToken cancellationToken)
    {
        var result = await issuer.PollDeviceAsync(flow.DeviceAuthId!, flow.UserCode!, cancellationToken);
        if (result.Pending)
        {
            return;
        }
        if (result.Error is not null)
        {
            await FailAsync(flow, result.Error);
            return;
        }
        await _completionGate.WaitAsync(cancellationToken);
        try
        {
            if (flows.Find(flow.Id) is not { Status: FlowStatus.Pending } current)
            {
                return;
            }
            var grant = await issuer.ExchangeCodeAsync(result.AuthorizationCode!, current.RedirectUri, result.CodeVerifier!, cancellationToken);
            try
            {
                await FinishAsync(current, grant);
            }
            catch (SignInException)
            {
                // FinishAsync recorded the failure on the flow; GetOAuthFlow reports it.
            }
        }
        finally
        {
            _completionGate.Release();
        }
    }

    /// <summary>
    /// Cancels a pending flow so that it can no longer complete and a device flow stops polling; a flow that already
    /// ended is returned as it is. Null when the id is unknown.
    /// </summary>
    public async Task<OAuthFlowRecord?> CancelAsync(string flowId)
    {
        // Under the completion gate, so a completion in progress either finishes first or sees the cancellation.
        await _completionGate.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            var flow = await flows.UpdateAsync(flowId, f => f.Status == FlowStatus.Pending && !f.IsExpiredAt(now)
                ? f with { Status = FlowStatus.Cancelled, CodeVerifier = null }
                : f);
            if (flow is { Status: FlowStatus.Cancelled })
            {
                Log.FlowCancelled(logger, flow.Id);
            }
            return flow;
        }
        finally
        {
            _completionGate.Release();
        }
    }

    private async Task<(OAuthFlowRecord, AccountRecord)> FinishAsync(OAuthFlowRecord flow, TokenGrantResult grant)
    {
        if (grant.Tokens is not { AccessToken: { } access, RefreshToken: { } refresh } tokens)
        {
            var reason = grant.Succeeded
                ? "The issuer's answer lacked an access or refresh token."
                : $"The issuer refused the sign-in code ({grant.Reason}{(grant.ErrorMessage is { } m ? ": " + m : "")}). Start the sign-in again.";
            await FailAsync(flow, reason);
            throw new SignInException(SignInError.Rejected, reason);
        }
        // The account (and its single-use refresh token) is on disk before the flow says "completed".
        var result = await signIns.AddTokensAsync(access, refresh, tokens.IdToken, renewAccountId: flow.RenewAccountId);
        if (result.Account is null)
        {
            await FailAsync(flow, result.Error!);
            throw new SignInException(SignInError.Rejected, result.Error!);
        }
        var completed = await flows.UpdateAsync(flow.Id, f => f with { Status = FlowStatus.Completed, AccountId = result.Account.Id, CodeVerifier = null });
        Log.FlowCompleted(logger, flow.Id, result.Account.Id, result.Created);
        return (completed!, result.Account);
    }

    private async Task FailAsync(OAuthFlowRecord flow, string reason)
    {
        // Only a pending flow fails: one cancelled meanwhile stays cancelled.
        await flows.UpdateAsync(flow.Id, f => f.Status == FlowStatus.Pending ? f with { Status = FlowStatus.Failed, Error = reason, CodeVerifier = null } : f);
        Log.FlowFailed(logger, flow.Id, reason);
    }

    private void EnsurePending(OAuthFlowRecord flow)
    {
        if (flow.Status == FlowStatus.Completed)
        {
            throw new SignInException(SignInError.Rejected, "This sign-in was already completed; its code cannot be used twice.");
        }
        if (flow.Status == FlowStatus.Cancelled)
        {
            throw new SignInException(SignInError.Rejected, "This sign-in was cancelled; start it again.");
        }
        if (flow.Status == FlowStatus.Failed)
        {
            throw new SignInException(SignInError.Rejected, $"This sign-in already failed ({flow.Error}); start it again.");
        }
        if (flow.IsExpiredAt(time.GetUtcNow()))
        {
            throw new SignInException(SignInError.Rejected, "This sign-in expired; start it again.");
        }
    }

    private string AuthorizeUrl(string redirectUri, string challenge, string state)
    {
        // Parameters in the order and with the values the Codex CLI sends (docs/chatgpt-sign-in.md §2).
        var parameters = new (string, string)[]
        {
            ("response_type", "code"),
            ("client_id", _options.OAuthClientId),
            ("redirect_uri", redirectUri),
            ("scope", _options.OAuthScope),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("id_token_add_organizations", "true"),
            ("codex_cli_simplified_flow", "true"),
            ("state", state),
            ("originator", _options.Originator),
        };
        return _options.OAuthIssuer.ToString().TrimEnd('/') + "/oauth/authorize?"
            + string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
    }

    private static Dictionary<string, string> ParseRedirect(string redirectUrl)
    {
        var text = redirectUrl?.Trim() ?? "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Query))
        {
            throw new SignInException(SignInError.InvalidInput,
                "Paste the full URL the browser was redirected to (it starts with the redirect URI and carries code and state).");
        }
        return QueryHelpers.ParseQuery(url.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    private static string DescribeIssuerError(string error, string? description)
    {
        if (description?.Contains("missing_codex_entitlement", StringComparison.OrdinalIgnoreCase) == true)
        {
            return "Codex is not enabled for this ChatGPT workspace (missing_codex_entitlement); ask its admin to enable Codex, or sign in with another account.";
        }
        return error == "access_denied"
            ? $"The sign-in was denied{(description is null ? "" : ": " + description)}."
            : $"The issuer reported '{error}'{(description is null ? "" : ": " + description)}.";
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "Sign-in {FlowId} ({Kind}) started")]
        public static partial void FlowStarted(ILogger logger, string flowId, FlowKind kind);

        [LoggerMessage(1002, LogLevel.Information, "Sign-in {FlowId} completed for account {AccountId} (new: {Created})")]
        public static partial void FlowCompleted(ILogger logger, string flowId, string accountId, bool created);

        [LoggerMessage(1003, LogLevel.Warning, "Sign-in {FlowId} failed: {Reason}")]
        public static partial void FlowFailed(ILogger logger, string flowId, string reason);

        [LoggerMessage(1004, LogLevel.Information, "Sign-in {FlowId} cancelled")]
        public static partial void FlowCancelled(ILogger logger, string flowId);
    }
}
