namespace MultiCodex.Simulator;

/// <summary>A scripted answer to the next refresh grant of an account (see <see cref="SimAccount.FailNextRefresh"/>).</summary>
public enum RefreshFailure
{
    /// <summary>401 <c>refresh_token_expired</c>; the presented refresh token stays dead (permanent).</summary>
    Expired,

    /// <summary>401 <c>refresh_token_invalidated</c>; the whole grant is revoked (permanent).</summary>
    Invalidated,

    /// <summary>401 <c>refresh_token_reused</c>, as if another client had rotated it first (permanent).</summary>
    Reused,

    /// <summary>400 <c>invalid_grant</c> (permanent in newest codex).</summary>
    InvalidGrant,

    /// <summary>401 <c>invalid_refresh_token</c> (permanent; reported by users of 2026-08 clients, codex-lb#1925).</summary>
    InvalidRefreshToken,

    /// <summary>401 whose message says the user has since logged out or signed in to another account, with no code
    /// (permanent; only the message tells the kind, docs/upstream-protocol.md §9).</summary>
    SignedOutElsewhere,

    /// <summary>500 server error; the refresh token stays valid (transient).</summary>
    ServerError,
}
