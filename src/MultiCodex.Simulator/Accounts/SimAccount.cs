using System.Text.Json;
using System.Text.Json.Nodes;
using MultiCodex.Simulator.Accounts;
using MultiCodex.Simulator.Hosting;

namespace MultiCodex.Simulator;

/// <summary>A ChatGPT account (one workspace of one user) that the fake serves, with scripting hooks
/// for usage, faults and tokens, and counters for assertions. Thread-safe.</summary>
public sealed partial class SimAccount
{
    private const int FiveHourSeconds = 5 * 60 * 60;
    private const int WeekSeconds = 7 * 24 * 60 * 60;

    private readonly SimulatorState _state;
    private readonly Lock _gate = new();
    private readonly Queue<ResponseBehavior> _behaviors = new();
    private readonly Queue<RefreshFailure> _refreshFailures = new();
    private readonly UsageWindow _fiveHour;
    private readonly UsageWindow _weekly;
    private int _refreshGrants;
    private int _codeGrants;
    private int _responsesRequests;
    private int _completedResponses;
    private int _usageRequests;

    internal SimAccount(SimulatorState state, string email, string plan, string accountId, string userId, string? organizationId = null)
    {
        _state = state;
        Email = email;
        Plan = plan;
        ChatGptAccountId = accountId;
        UserId = userId;
        OrganizationId = organizationId ?? "org-" + Ids.Random(12);
        var now = state.Now;
        _fiveHour = new UsageWindow(FiveHourSeconds, now.AddSeconds(FiveHourSeconds));
        _weekly = new UsageWindow(WeekSeconds, now.AddSeconds(WeekSeconds));
    }

    /// <summary>Login email (top-level <c>email</c> claim).</summary>
    public string Email { get; }

    /// <summary>Workspace id: <c>chatgpt_account_id</c> claim, <c>ChatGPT-Account-ID</c> header, auth.json <c>account_id</c>.</summary>
    public string ChatGptAccountId { get; }

    /// <summary>User id (<c>chatgpt_user_id</c> / <c>user_id</c> claims), shaped <c>user-…</c>.</summary>
    public string UserId { get; }

    /// <summary>Default organization id in the <c>organizations</c> claim.</summary>
    public string OrganizationId { get; }

    /// <summary>Plan type (<c>plus</c>, <c>pro</c>, <c>free</c>, <c>team</c>, …); used in claims, headers and usage. Changes apply to tokens minted later.</summary>
    public string Plan { get; set; }

    /// <summary>False makes the authorize step answer <c>error=access_denied&amp;error_description=missing_codex_entitlement</c>.</summary>
    public bool HasCodexEntitlement { get; set; } = true;

    /// <summary>True reports a single weekly primary window and no secondary (as free plans do).</summary>
    public bool WeeklyOnlyPrimary { get; set; }

    /// <summary>Per-account override of <see cref="FakeChatGptOptions.PrimaryPercentPerResponse"/>.</summary>
    public double? PrimaryPercentPerResponse { get; set; }

    /// <summary>Per-account override of <see cref="FakeChatGptOptions.SecondaryPercentPerResponse"/>.</summary>
    public double? SecondaryPercentPerResponse { get; set; }

    /// <summary><c>credits.has_credits</c> in usage. Default false.</summary>
    public bool HasCredits { get; set; }

    /// <summary><c>credits.balance</c> in usage (a string or null). Default null.</summary>
    public string? CreditsBalance { get; set; }

    /// <summary>Refresh grants received for this account's refresh tokens (successful or not).</summary>
    public int RefreshGrantCount => Volatile.Read(ref _refreshGrants);

    /// <summary>Successful authorization-code exchanges for this account.</summary>
    public int AuthorizationCodeGrantCount => Volatile.Read(ref _codeGrants);

    /// <summary>Authenticated <c>POST /codex/responses</c> requests (any outcome).</summary>
    public int ResponsesRequestCount => Volatile.Read(ref _responsesRequests);

    /// <summary>Responses that ended with <c>response.completed</c>.</summary>
    public int CompletedResponseCount => Volatile.Read(ref _completedResponses);

    /// <summary>Authenticated <c>GET /wham/usage</c> requests.</summary>
    public int UsageRequestCount => Volatile.Read(ref _usageRequests);

    /// <summary>Behaviours still queued for the next responses requests.</summary>
    public int PendingBehaviorCount
    {
        get
        {
            lock (_gate)
            {
                return _behaviors.Count;
            }
        }
    }

    /// <summary>Sets the primary window (5 h, or weekly when <see cref="WeeklyOnlyPrimary"/>); reset time unchanged when null.</summary>
    public void SetPrimaryUsage(double usedPercent, DateTimeOffset? resetAt = null) =>
        SetWindow(WeeklyOnlyPrimary ? _weekly : _fiveHour, usedPercent, resetAt);

    /// <summary>Sets the weekly secondary window; reset time unchanged when null.</summary>
    public void SetSecondaryUsage(double usedPercent, DateTimeOffset? resetAt = null) => SetWindow(_weekly, usedPercent, resetAt);

    /// <summary>Current usage (windows past their reset time start over first).</summary>
    public UsageSnapshot GetUsage()
    {
        lock (_gate)
        {
            var now = _state.Now;
            _fiveHour.RollOver(now);
            _weekly.RollOver(now);
            var windows = WeeklyOnlyPrimary
                ? new UsageSnapshot(_weekly.Snapshot(now), null)
                : new UsageSnapshot(_fiveHour.Snapshot(now), _weekly.Snapshot(now));
            return WithMeters(windows, now);
        }
    }

    /// <summary>Queues <paramref name="behavior"/> for the next <paramref name="times"/> responses requests.</summary>
    public void EnqueueBehavior(ResponseBehavior behavior, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(behavior);
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _behaviors.Enqueue(behavior);
            }
        }
    }

    /// <summary>Drops all queued behaviours.</summary>
    public void ClearBehaviors()
    {
        lock (_gate)
        {
            _behaviors.Clear();
        }
    }

    /// <summary>Makes the next <paramref name="times"/> refresh grants for this account fail as <paramref name="failure"/>.</summary>
    public void FailNextRefresh(RefreshFailure failure, int times = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _refreshFailures.Enqueue(failure);
            }
        }
    }

    /// <summary>Issues a new grant (as a login would). A negative lifetime gives an already expired access token.</summary>
    public TokenSet MintTokens(TimeSpan? accessTokenLifetime = null) =>
        _state.Tokens.IssueNewGrant(this, accessTokenLifetime ?? _state.Options.AccessTokenLifetime);

    /// <summary>The Codex <c>auth.json</c> text for <paramref name="tokens"/> (minted now when null).</summary>
    public string AuthJson(TokenSet? tokens = null)
    {
        tokens ??= MintTokens();
        var json = new JsonObject
        {
            ["auth_mode"] = "chatgpt",
            ["OPENAI_API_KEY"] = null,
            ["tokens"] = new JsonObject
            {
                ["id_token"] = tokens.IdToken,
                ["access_token"] = tokens.AccessToken,
                ["refresh_token"] = tokens.RefreshToken,
                ["account_id"] = ChatGptAccountId,
            },
            ["last_refresh"] = _state.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Makes every access token issued so far answer 401 <c>token_expired</c>; refresh tokens stay valid.</summary>
    public void ExpireAccessTokens() => _state.Tokens.ExpireAccessTokens(this);

    /// <summary>Revokes every grant: access tokens answer 401 <c>token_invalidated</c>, refresh tokens <c>refresh_token_invalidated</c>.</summary>
    public void RevokeTokens() => _state.Tokens.RevokeAll(this);

    /// <inheritdoc />
    public override string ToString() => $"{Email} ({ChatGptAccountId}, {Plan})";

    internal ResponseBehavior? DequeueBehavior()
    {
        lock (_gate)
        {
            return _behaviors.TryDequeue(out var behavior) ? behavior : null;
        }
    }

    internal RefreshFailure? DequeueRefreshFailure()
    {
        lock (_gate)
        {
            return _refreshFailures.TryDequeue(out var failure) ? failure : null;
        }
    }

    /// <summary>Adds one completed response's cost to the reserve meter, the credit budget or the windows.</summary>
    internal void RecordCompletedResponse(bool onReserve = false)
    {
        Interlocked.Increment(ref _completedResponses);
        lock (_gate)
        {
            var now = _state.Now;
            if (SpendMeters(onReserve, now))
            {
                return;
            }

            _fiveHour.RollOver(now);
            _weekly.RollOver(now);
            var primary = PrimaryPercentPerResponse ?? _state.Options.PrimaryPercentPerResponse;
            var secondary = SecondaryPercentPerResponse ?? _state.Options.SecondaryPercentPerResponse;
            if (WeeklyOnlyPrimary)
            {
                _weekly.UsedPercent = Math.Min(100, _weekly.UsedPercent + primary);
                return;
            }

            _fiveHour.UsedPercent = Math.Min(100, _fiveHour.UsedPercent + primary);
            _weekly.UsedPercent = Math.Min(100, _weekly.UsedPercent + secondary);
        }
    }

    /// <summary>The identity and windows, for the saved state file.</summary>
    internal SavedAccount Save()
    {
        lock (_gate)
        {
            return new SavedAccount(Email, Plan, ChatGptAccountId, UserId, OrganizationId, WeeklyOnlyPrimary,
                _fiveHour.UsedPercent, _fiveHour.ResetAt, _weekly.UsedPercent, _weekly.ResetAt);
        }
    }

    internal void Restore(SavedAccount saved)
    {
        lock (_gate)
        {
            WeeklyOnlyPrimary = saved.WeeklyOnly;
            (_fiveHour.UsedPercent, _fiveHour.ResetAt) = (saved.FiveHourUsed, saved.FiveHourResetAt);
            (_weekly.UsedPercent, _weekly.ResetAt) = (saved.WeeklyUsed, saved.WeeklyResetAt);
        }
    }

    internal void CountRefreshGrant() => Interlocked.Increment(ref _refreshGrants);

    internal void CountCodeGrant() => Interlocked.Increment(ref _codeGrants);

    internal void CountResponsesRequest() => Interlocked.Increment(ref _responsesRequests);

    internal void CountUsageRequest() => Interlocked.Increment(ref _usageRequests);

    private void SetWindow(UsageWindow window, double usedPercent, DateTimeOffset? resetAt)
    {
        lock (_gate)
        {
            window.RollOver(_state.Now);
            window.UsedPercent = usedPercent;
            if (resetAt is { } at)
            {
                window.ResetAt = at;
            }
        }
    }
}
