namespace MultiCodex.Simulator;

/// <summary>Why an account is limited, as the Codex client 0.169+ names it: the <c>x-codex-rate-limit-reached-type</c>
/// header of a quota answer and <c>rate_limit_reached_type.type</c> in <c>wham/usage</c> (docs/upstream-protocol.md §8).</summary>
public enum RateLimitReachedKind
{
    /// <summary><c>rate_limit_reached</c>: the account's own 5-hour or weekly window is used up.</summary>
    UsageLimit,

    /// <summary><c>workspace_owner_credits_depleted</c>.</summary>
    WorkspaceOwnerCreditsDepleted,

    /// <summary><c>workspace_member_credits_depleted</c>.</summary>
    WorkspaceMemberCreditsDepleted,

    /// <summary><c>workspace_owner_usage_limit_reached</c>.</summary>
    WorkspaceOwnerUsageLimitReached,

    /// <summary><c>workspace_member_usage_limit_reached</c>.</summary>
    WorkspaceMemberUsageLimitReached,

    /// <summary><c>spend_control_reached</c>: the monthly credit budget (<c>spend_control.individual_limit</c>) is spent.</summary>
    SpendControlReached,
}

/// <summary>Wire names and (the fake's own) messages of <see cref="RateLimitReachedKind"/>.</summary>
internal static class RateLimitKinds
{
    public static string WireName(RateLimitReachedKind kind) => kind switch
    {
        RateLimitReachedKind.WorkspaceOwnerCreditsDepleted => "workspace_owner_credits_depleted",
        RateLimitReachedKind.WorkspaceMemberCreditsDepleted => "workspace_member_credits_depleted",
        RateLimitReachedKind.WorkspaceOwnerUsageLimitReached => "workspace_owner_usage_limit_reached",
        RateLimitReachedKind.WorkspaceMemberUsageLimitReached => "workspace_member_usage_limit_reached",
        RateLimitReachedKind.SpendControlReached => "spend_control_reached",
        _ => "rate_limit_reached",
    };

    public static string Message(RateLimitReachedKind kind) => kind switch
    {
        RateLimitReachedKind.WorkspaceOwnerCreditsDepleted => "Your workspace is out of credits. Add credits to keep using Codex.",
        RateLimitReachedKind.WorkspaceMemberCreditsDepleted => "Your workspace is out of credits. Ask your workspace owner to add credits.",
        RateLimitReachedKind.WorkspaceOwnerUsageLimitReached => "Your workspace has reached its usage limit.",
        RateLimitReachedKind.WorkspaceMemberUsageLimitReached => "You have reached the usage limit your workspace set for you.",
        RateLimitReachedKind.SpendControlReached => "You have reached your spend limit for this period.",
        _ => "The usage limit has been reached",
    };
}
